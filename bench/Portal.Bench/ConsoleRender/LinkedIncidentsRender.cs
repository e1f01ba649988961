using System.Diagnostics;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MudBlazor.Services;
using Portal.Components.Pages.Records;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Core.StatusDashboard;

namespace Portal.Bench.ConsoleRender;

/// `--console-render`: the first render of the Command Console's linked incidents with 200 incidents linked to one
/// case, each with assignees, an age and a status update, on the portal's own services (as Program.cs wires them,
/// background loops not started) and a fresh SQLite file. Each run renders `LinkedIncidentsPanel` for the case, read
/// from the store as the record page reads it, in a new bunit context, and stops the watch when the first incident
/// row is in the markup. bunit answers `<Virtualize>`'s JavaScript with a viewport of its own, so `rows` says how
/// many of the 200 were rendered.
public static class LinkedIncidentsRender
{
    private const int Incidents = 200;
    private const int Runs = 30;

    public static Task RunAsync() => PortalServices.RunOnTemporaryDatabaseAsync("console", async services =>
    {
        var recordId = await SeedAsync(services);
        await PortalServices.TimeRendersAsync($"{Incidents} linked incidents", Runs, () => RenderOnceAsync(services, recordId), reportFirst: true);
    });

    private static async Task<(double Milliseconds, int Rows)> RenderOnceAsync(IServiceProvider services, string recordId)
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(TimeProvider.System);
        foreach (var type in new[] { typeof(IncidentLinks), typeof(ConsoleActions), typeof(PagerDutyDirectory), typeof(IncidentStatusUpdates), typeof(IncidentTimeline), typeof(RecordStore) })
            context.Services.AddSingleton(type, services.GetRequiredService(type));
        var auth = context.AddAuthorization();
        auth.SetAuthorized("agent@bench.test");
        auth.SetRoles(Roles.User);
        auth.SetPolicies(Permissions.Read, Permissions.RecordsWrite);
        var watch = Stopwatch.StartNew();
        var record = await services.GetRequiredService<RecordStore>().GetAsync("Case", recordId);
        var cut = context.Render<LinkedIncidentsPanel>(p => p.Add(x => x.Record, record).Add(x => x.CanWrite, true));
        cut.WaitForElement(".linked-incident", TimeSpan.FromSeconds(60));
        watch.Stop();
        return (watch.Elapsed.TotalMilliseconds, cut.FindAll(".linked-incident").Count);
    }

    private static async Task<string> SeedAsync(IServiceProvider services)
    {
        var record = await services.GetRequiredService<RecordStore>().CreateAsync("Case",
            JsonDocument.Parse("""{"Subject":"Enterprise customer: every integration is failing"}""").RootElement, new ChangeActor("bench"));
        var links = services.GetRequiredService<IncidentLinks>();
        var statusUpdates = services.GetRequiredService<IncidentStatusUpdates>();
        var now = DateTime.UtcNow;
        for (var i = 0; i < Incidents; i++)
        {
            var id = $"QBENCH{i:D8}";
            await links.LinkAsync(record.Id, new IncidentState(id, 1000 + i, $"Integration {i} returns 502", i % 3 == 0 ? "acknowledged" : "triggered", "high", "P2",
                "PSBXPAY", "Payments", $"https://example.pagerduty.com/incidents/{id}", ["Alex Rivera", "Sam Chen"], now.AddMinutes(-i * 7)), "bench");
            await statusUpdates.StorePostedAsync(id, new PdStatusUpdate($"PSU{i:D6}", $"Integration {i}: traffic is being rerouted.", now.AddMinutes(-i), "Alex Rivera"), "bench");
        }
        return record.Id;
    }
}
