using Portal.Core;
using Portal.Core.Security;

namespace Portal.Security;

public static class StartupAccounts
{
    /// `Authentication:BootstrapAdmin:Email/Password`: the first Administrator, created at start when no account exists.
    public static async Task EnsureBootstrapAdministratorAsync(this WebApplication app)
    {
        if (SecurityExtensions.ModeOf(app.Configuration) != AuthenticationMode.Local) return;
        var email = app.Configuration["Authentication:BootstrapAdmin:Email"];
        var password = app.Configuration["Authentication:BootstrapAdmin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return;

        try
        {
            var created = await app.Services.GetRequiredService<AccountService>().CreateFirstAdministratorAsync(email, password);
            if (created is not null)
                app.Logger.LogInformation("Created the bootstrap Administrator {Email}", created.Email);
        }
        catch (PortalValidationException e)
        {
            throw new InvalidOperationException($"Authentication:BootstrapAdmin is not usable: {e.Message}", e);
        }
    }
}
