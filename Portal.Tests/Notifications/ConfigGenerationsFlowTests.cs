using Portal.Core.Notifications;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;

namespace Portal.Tests.Notifications;

/// A request checks the configuration once, as it arrives (`WithCurrentConfiguration`); the checks further in it (the
/// rules of a record it writes) then cost no query, and the check after it sees what another instance saved since.
[Collection(PostgresCollection.Name)]
public sealed class ConfigGenerationsFlowTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _one = default!;
    private TestDatabase _two = default!;

    public async Task InitializeAsync()
    {
        _one = await TestDatabase.WithRulesAsync(postgres: await cluster.CreateDatabaseAsync());
        _two = _one.SecondInstance();
    }

    public async Task DisposeAsync()
    {
        await _two.DisposeAsync();
        await _one.DisposeAsync();
    }

    [Fact]
    public async Task AFlowCheckedAsItArrivedDoesNotCheckAgainAndTheNextCheckSeesTheChange()
    {
        var generations = _one.Get<ConfigGenerations>();
        await generations.EnsureCurrentAsync();
        var before = (await _one.Get<RulesetStore>().CurrentAsync()).Version;

        await _two.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin@portal.test");

        using (ConfigGenerations.CheckedForThisFlow())
        {
            await generations.EnsureCurrentAsync();
            Assert.Equal(before, (await _one.Get<RulesetStore>().CurrentAsync()).Version);
        }
        await generations.EnsureCurrentAsync();
        Assert.Equal(before + 1, (await _one.Get<RulesetStore>().CurrentAsync()).Version);
    }
}
