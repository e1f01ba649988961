using Portal.Core.Notifications;

namespace Portal.Endpoints;

public static class CurrentConfiguration
{
    /// The group's requests read the object types, settings and rules committed before they arrived, whichever instance
    /// saved them (one small query on PostgreSQL, nothing on SQLite), and only that once: the rules a record write
    /// runs do not check again.
    public static RouteGroupBuilder WithCurrentConfiguration(this RouteGroupBuilder group) => group.AddEndpointFilter(async (context, next) =>
    {
        await context.HttpContext.RequestServices.GetRequiredService<ConfigGenerations>().EnsureCurrentAsync(context.HttpContext.RequestAborted);
        using (ConfigGenerations.CheckedForThisFlow()) return await next(context);
    });
}
