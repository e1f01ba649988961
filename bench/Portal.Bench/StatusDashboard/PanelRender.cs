using System.Diagnostics;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MudBlazor.Services;
using Portal.Components.Pages.StatusDashboard;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Sandbox;
using Portal.Core.StatusDashboard;

namespace Portal.Bench.StatusDashboard;

/// The first render of the Status Dashboard panel with 1,000 business services (`--status-dashboard-render`): the
/// portal's own services (as Program.cs wires them, background loops not started) on the sandbox account of a fresh
/// SQLite file, 1,000 business services of which 40 are impacted by 25 open incidents, each with a status update.
/// Each run renders the panel in a new bunit context and stops the watch when the first business service is in the
/// markup. "cached" runs find the dashboard's 60-second cache filled (as every page after the first does); "uncached"
/// runs read the sandbox first (the first page after the cache ran out). bunit answers Virtualize's JS as a viewport
/// that fits every item, so `rows` says how many business services were rendered; a browser renders a screenful.
public static class PanelRender
{
    private const int BusinessServices = 1000;
    private const int Runs = 30;

    public static Task RunAsync() => PortalServices.RunOnTemporaryDatabaseAsync("dashboard", async services =>
    {
        await SeedAsync(services);
        var impacts = services.GetRequiredService<BusinessImpacts>();
        var view = await impacts.GetAsync();
        Console.WriteLine($"view: {view.Services.Count} business services, {view.ImpactedCount} impacted, " +
            $"{view.Services.Sum(s => s.Incidents.Count)} incident rows, error: {view.Error ?? "none"}");

        await PortalServices.TimeRendersAsync("cached", Runs, () => RenderOnceAsync(services, cached: true), reportFirst: true);
        await PortalServices.TimeRendersAsync("uncached", Runs, () =>
        {
            impacts.Invalidate(null);
            return RenderOnceAsync(services, cached: false);
        }, reportFirst: false);
    });

    private static async Task<(double Milliseconds, int Rows)> RenderOnceAsync(IServiceProvider services, bool cached)
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(services.GetRequiredService<BusinessImpacts>());
        context.Services.AddSingleton(services.GetRequiredService<ConsoleActions>());
        context.Services.AddSingleton(services.GetRequiredService<IncidentLinks>());
        // the uncached run must wait for the minimum interval between reads to pass: it is not part of the render
        if (!cached) await Task.Delay(TimeSpan.FromSeconds(5.05));
        var watch = Stopwatch.StartNew();
        var cut = context.Render<StatusDashboardPanel>();
        cut.WaitForElement(".business-service", TimeSpan.FromSeconds(60));
        watch.Stop();
        return (watch.Elapsed.TotalMilliseconds, cut.FindAll(".business-service").Count);
    }

    private static async Task SeedAsync(IServiceProvider services)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.SandboxBusinessServices.ExecuteDeleteAsync();
            var technical = SandboxAccount.Services.Select(s => s.Id).ToArray();
            for (var i = 0; i < BusinessServices; i++)
            {
                // the first 40 depend on Payments (which will have incidents); the rest on services that will not
                string[] supporting = i < 40 ? ["PSBXPAY"] : [technical[i % technical.Length] == "PSBXPAY" ? "PSBXAPI" : technical[i % technical.Length]];
                db.SandboxBusinessServices.Add(new SandboxBusinessServiceEntity
                {
                    Id = $"PBS{i:D5}", Name = $"Business service {i:D4}", SupportingServiceIdsJson = JsonSerializer.Serialize(supporting),
                });
            }
            await db.SaveChangesAsync();
        }
        var sandbox = services.GetRequiredService<SandboxPagerDuty>();
        var from = SandboxAccount.Users[0].Email;
        for (var i = 0; i < 25; i++)
        {
            var incident = await sandbox.CreateIncidentAsync(new PdCreateIncident($"Card payments fail in region {i}", "PSBXPAY", PriorityId: "PSBXP1"), from, default);
            await sandbox.AddStatusUpdateAsync(incident.Id, $"Region {i}: payments are being rerouted.", from, default);
        }
        // store the status updates as the background webhook processor would
        var processor = services.GetRequiredService<Portal.Core.Webhooks.WebhookProcessingService>();
        while (await processor.ProcessBatchAsync(Portal.Core.Webhooks.WebhookProcessingService.BatchSize, default) > 0) { }
    }
}
