using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.PagerDuty;

/// The PagerDuty request budget, with a fake clock: a sliding window over the grants stored in the database, so that
/// no 60-second window ever holds more than a caller's share, nor all callers together more than PagerDuty's 960, in
/// one instance or several; and a 429 makes every caller wait until its reset.
public class RequestBudgetTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task RestartWithSharesAsync(int dispatcher, int dashboard)
    {
        await _db.DisposeAsync();
        _db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["Dispatch:RequestsPerMinute"] = dispatcher.ToString(),
            ["StatusDashboard:RequestsPerMinute"] = dashboard.ToString(),
        });
    }

    /// Takes greedily (batches of irregular size, until refused) while the clock moves on in irregular steps for five
    /// minutes; returns every grant with its time.
    public static async Task<List<(DateTimeOffset At, string Caller, int Count)>> TakeGreedilyAsync(FakeTimeProvider clock, string[] callers,
        Func<string, int, Task<int>> take, int seed = 7)
    {
        var random = new Random(seed);
        var grants = new List<(DateTimeOffset, string, int)>();
        var end = clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        while (clock.GetUtcNow() < end)
        {
            foreach (var caller in callers)
            {
                for (int granted; (granted = await take(caller, random.Next(1, 40))) > 0;) grants.Add((clock.GetUtcNow(), caller, granted));
            }
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 7000)));
        }
        return grants;
    }

    /// The most granted in any window of a grant's hold (60 s and the allowance for sending; a window holding the most
    /// starts at a grant).
    public static int MostInAnyWindow(IReadOnlyList<(DateTimeOffset At, string Caller, int Count)> grants, Func<string, bool> counted) =>
        grants.Select(start => grants.Where(g => counted(g.Caller) && g.At >= start.At && g.At < start.At + RequestBudget.Hold).Sum(g => g.Count))
            .DefaultIfEmpty(0).Max();

    private static Func<string, int, Task<int>> Take(RequestBudget budget) =>
        async (caller, count) => (await budget.TakeUpToAsync(caller, count)).Granted;

    [Fact]
    public async Task NeverGrantsMoreThanTheShareInAnySixtySecondWindow()
    {
        var grants = await TakeGreedilyAsync(_db.Clock, [RequestCallers.Dispatcher], Take(_db.Get<RequestBudget>()));

        // greedy takes fill the window to the share, and never past it
        Assert.Equal(720, MostInAnyWindow(grants, _ => true));
        // and it keeps granting as the window slides: about 720 a minute over five minutes
        Assert.InRange(grants.Sum(g => g.Count), 5 * 720 - 720, 5 * 720);
    }

    [Theory]
    [InlineData(720, 120, 720, 120, 840)]
    // shares configured past PagerDuty's limit: the combined cap still holds (the dashboard asks first here, so the
    // dispatcher gets what is left of the 960)
    [InlineData(900, 120, 840, 120, 960)]
    public async Task TheDispatcherAndTheDashboardTogetherStayWithinPagerDutysLimit(int dispatcherShare, int dashboardShare, int dispatcherMost,
        int dashboardMost, int totalMost)
    {
        await RestartWithSharesAsync(dispatcherShare, dashboardShare);

        var grants = await TakeGreedilyAsync(_db.Clock, [RequestCallers.Dashboard, RequestCallers.Dispatcher], Take(_db.Get<RequestBudget>()));

        Assert.Equal(dispatcherMost, MostInAnyWindow(grants, c => c == RequestCallers.Dispatcher));
        Assert.Equal(dashboardMost, MostInAnyWindow(grants, c => c == RequestCallers.Dashboard));
        Assert.Equal(totalMost, MostInAnyWindow(grants, _ => true));
    }

    [Fact]
    public async Task TwoBudgetsOverOneDatabaseShareTheLimit()
    {
        var other = await OtherInstanceAsync();
        var budgets = new[] { _db.Get<RequestBudget>(), other };

        // each sees what the other took
        Assert.Equal(100, (await budgets[0].TakeAsync(RequestCallers.Dispatcher, 100)).Granted);
        Assert.Equal(new BudgetGrant(0, _db.Clock.GetUtcNow().UtcDateTime + RequestBudget.Hold, false), await budgets[1].TakeAsync(RequestCallers.Dispatcher, 621));
        Assert.Equal(20, (await budgets[1].TakeAsync(RequestCallers.Dispatcher, 20)).Granted);
        // then both take at once, in batches, until refused (which of them gets more is up to the scheduler)
        var granted = await Task.WhenAll(budgets.Select(budget => Task.Run(async () =>
        {
            var total = 0;
            for (int g; (g = (await budget.TakeUpToAsync(RequestCallers.Dispatcher, 7)).Granted) > 0;) total += g;
            return total;
        })));

        Assert.Equal(720 - 120, granted.Sum());
        Assert.Equal(0, (await other.TakeAsync(RequestCallers.Dispatcher, 1)).Granted);
        // the one that refused knows when the first grants leave the window
        _db.Clock.Advance(RequestBudget.Hold);
        Assert.Equal(1, (await other.TakeAsync(RequestCallers.Dispatcher, 1)).Granted);
    }

    [Fact]
    public async Task SaysWhenTheRefusedRequestsCanBeHad()
    {
        var budget = _db.Get<RequestBudget>();
        var start = _db.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(700, (await budget.TakeAsync(RequestCallers.Dispatcher, 700)).Granted);
        _db.Clock.Advance(TimeSpan.FromSeconds(10));

        var partial = await budget.TakeUpToAsync(RequestCallers.Dispatcher, 30);
        Assert.Equal((20, start + RequestBudget.Hold, false), (partial.Granted, partial.RetryAtUtc, partial.Paused));
        // all or nothing: 30 more fit only when the first 700 have left the window
        Assert.Equal(new BudgetGrant(0, start + RequestBudget.Hold, false), await budget.TakeAsync(RequestCallers.Dispatcher, 30));
        // the dashboard's share is its own
        Assert.Equal(120, (await budget.TakeAsync(RequestCallers.Dashboard, 120)).Granted);
    }

    [Fact]
    public async Task ARecordedRateLimitPausesEveryCallerOfEveryInstanceUntilTheReset()
    {
        var budget = _db.Get<RequestBudget>();
        var now = _db.Clock.GetUtcNow().UtcDateTime;
        await budget.RecordRateLimitAsync(TimeSpan.FromSeconds(20));
        // an earlier reset read later does not shorten the wait
        await budget.RecordRateLimitAsync(TimeSpan.FromSeconds(5));

        var other = await OtherInstanceAsync();

        _db.Clock.Advance(TimeSpan.FromSeconds(19.9));
        foreach (var (b, caller) in new[] { (budget, RequestCallers.Dispatcher), (budget, RequestCallers.Dashboard), (other, RequestCallers.Dispatcher) })
            Assert.Equal(new BudgetGrant(0, now.AddSeconds(20), true), await b.TakeUpToAsync(caller, 3));

        _db.Clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(3, (await budget.TakeUpToAsync(RequestCallers.Dispatcher, 3)).Granted);
        Assert.Equal(3, (await other.TakeUpToAsync(RequestCallers.Dashboard, 3)).Granted);
        Assert.Null(await budget.PausedUntilAsync());
    }

    [Fact]
    public async Task ARequestGrantedAheadIsSentOnItOnlyWhileItIsFreshAndWhatWasNotSentGoesBack()
    {
        var budget = _db.Get<RequestBudget>();
        var batch = await budget.TakeAsync(RequestCallers.Dispatcher, 3);
        Assert.Equal(717, Left());

        using (RequestBudget.Scope(RequestCallers.Dispatcher, prepaid: 3, batch.TakenUtc))
        {
            // fresh: paid from what the batch took
            await budget.PayForRequestAsync();
            Assert.Equal(717, Left());
            // stale (it would reach PagerDuty in a later window than the one it is counted in): the request takes its own
            _db.Clock.Advance(RequestBudget.PrepaidFreshFor + TimeSpan.FromMilliseconds(1));
            await budget.PayForRequestAsync();
            Assert.Equal(716, Left());
            Assert.Equal(2, RequestBudget.Current!.UnusedPrepaid);
            Assert.Equal(2, RequestBudget.Current.Sent);
            await budget.GiveBackAsync(batch, RequestBudget.Current.UnusedPrepaid);
        }
        Assert.Equal(718, Left());
        // a grant counts for the window and the allowance for sending, not the window alone
        _db.Clock.Advance(RequestBudget.Window);
        Assert.Equal(718, Left());
        _db.Clock.Advance(RequestBudget.SendAllowance);
        Assert.Equal(720, Left());
    }

    private int Left()
    {
        using var db = _db.Get<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return RequestBudget.Remaining(db, _db.Clock.GetUtcNow().UtcDateTime, new DispatchOptions(), new StatusDashboardOptions())
            .Single(r => r.Caller == RequestCallers.Dispatcher).Left;
    }

    /// A second instance's budget: its own contexts over the same database, with the same (fake) time.
    private async Task<RequestBudget> OtherInstanceAsync()
    {
        await using var db = await _db.ContextAsync();
        return new RequestBudget(new OtherInstanceContexts(db.Database.GetConnectionString()!, db.Database.IsNpgsql()), _db.Clock,
            Options.Create(new DispatchOptions()), Options.Create(new StatusDashboardOptions()));
    }

    private sealed class OtherInstanceContexts(string connectionString, bool postgres) : IDbContextFactory<PortalDbContext>
    {
        private readonly DbContextOptions<PortalDbContext> _options = postgres
            ? PersistenceExtensions.UsePostgres(new DbContextOptionsBuilder<PortalDbContext>(), connectionString).Options
            : new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString)
                .AddInterceptors(new SqliteConnectionSetup(), new SqliteWriteGateInterceptor()).Options;

        public PortalDbContext CreateDbContext() => new(_options);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class RequestBudgetOnPostgresTests(PostgresCluster cluster) : RequestBudgetTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
