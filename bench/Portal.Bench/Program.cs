using BenchmarkDotNet.Running;
using Portal.Bench.Load;
using Portal.Bench.Records;
using Portal.Bench.Rules;
using Portal.Bench.StatusDashboard;

if (args is ["--per-event"])
{
    await PerEventDistribution.RunAsync();
    return;
}

if (args is ["--records-sql"])
{
    await RecordStoreSqlCount.RunAsync();
    return;
}

if (args is ["--status-dashboard-render"])
{
    await PanelRender.RunAsync();
    return;
}

if (args is ["--webhook-load", ..])
{
    await WebhookLoad.RunAsync(args[1..]);
    return;
}

if (args is ["--console-render"])
{
    await Portal.Bench.ConsoleRender.LinkedIncidentsRender.RunAsync();
    return;
}

if (args is ["--log-purge", ..])
{
    await LogPurgeLoad.RunAsync(args[1..]);
    return;
}

if (args is ["--log-query", ..])
{
    await LogQueryLoad.RunAsync(args[1..]);
    return;
}

if (args is ["--dispatch-load", ..])
{
    await DispatchLoad.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(RulesWorkload).Assembly).Run(args);
