using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Tests.Logging;

/// The audit trail is written in the transaction of the change it describes: it is in the database the moment the
/// call returns (nothing here flushes the log's queue), and a change that fails leaves no entry.
public sealed class AuditInTransactionTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(configure: s => s.AddSingleton<ApiTokenService>());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<string>> StoredAuditAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.LogEntries.Where(e => e.Category == LogCategories.Config).OrderBy(e => e.Id).Select(e => e.Message).ToListAsync();
    }

    [Fact]
    public async Task ARulesetSaveIsStoredWithItsAuditEntry()
    {
        var saved = await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "ada", "first rules");

        var entry = Assert.Single(await StoredAuditAsync());
        Assert.Equal($"Rules version {saved.Version} saved by ada: {Portal.Core.Counted.Of(saved.RuleCount, "rule")} (first rules)", entry);
    }

    [Fact]
    public async Task AnAuditEntryCommittedWithItsChangeWakesTheLiveLogOnceAndARefusedChangeDoesNot()
    {
        var written = 0;
        using var _ = _db.Get<Core.Notifications.ChangeNotifier>().Subscribe<Core.Notifications.LogEntriesStored>(_ => Interlocked.Increment(ref written));

        await Assert.ThrowsAsync<PortalValidationException>(() =>
            _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("\"Case\"", "\"Nothing\""), "ada"));
        Assert.Equal(0, written);

        // nothing flushes the log's queue here: the commit of the save itself tells the Logs page's live tail
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "ada");
        Assert.Equal(1, written);
    }

    [Fact]
    public async Task ARulesetThatFailsValidationLeavesNoAuditEntry()
    {
        await Assert.ThrowsAsync<PortalValidationException>(() =>
            _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("\"Case\"", "\"Nothing\""), "ada"));

        Assert.Empty(await StoredAuditAsync());
        Assert.Empty(await _db.Get<RulesetStore>().VersionsAsync());
    }

    [Fact]
    public async Task AnObjectTypeIsStoredWithItsAuditEntryAndARefusedOneLeavesNone()
    {
        var catalog = _db.Get<ObjectCatalog>();
        await catalog.DefineAsync(new ObjectTypeDto("Outage", null, true, [new FieldDto("Region", null, "text")]), "ada");
        Assert.Equal(["Object type Outage created by ada with 1 field(s)"], await StoredAuditAsync());

        var invalid = await Assert.ThrowsAsync<PortalValidationException>(() =>
            catalog.DefineAsync(new ObjectTypeDto("Outage2", null, true, [new FieldDto("Sev", null, "colour")]), "ada"));
        Assert.Contains("fields[0].type", invalid.Errors.Keys);
        await Assert.ThrowsAsync<PortalValidationException>(() => catalog.DefineAsync(new ObjectTypeDto("outage", null, true, []), "ada"));

        Assert.Equal(["Object type Outage created by ada with 1 field(s)"], await StoredAuditAsync());
    }

    [Fact]
    public async Task AFieldTheDatabaseRefusesLeavesNoAuditEntry()
    {
        var catalog = _db.Get<ObjectCatalog>();
        await catalog.DefineAsync(new ObjectTypeDto("Outage", null, true, []), "ada");
        // another writer added the field behind the catalog's cached snapshot: the unique index refuses the second one
        await using (var db = await _db.ContextAsync())
        {
            db.ObjectFields.Add(new ObjectFieldEntity { ObjectName = "Outage", Name = "Severity", Label = "Severity", Type = "text", Position = 0 });
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAsync<DbUpdateException>(() => catalog.AddFieldAsync("Outage", new FieldDto("Severity", null, "text"), "grace"));

        Assert.Equal(["Object type Outage created by ada with 0 field(s)"], await StoredAuditAsync());
    }

    [Fact]
    public async Task AnApiTokenIsStoredWithItsAuditEntryAndARefusedOneLeavesNone()
    {
        var tokens = _db.Get<ApiTokenService>();
        var created = await tokens.CreateAsync("ci", Roles.Manager, "ada");
        Assert.Equal(["ada created the API token 'ci' (Manager)"], await StoredAuditAsync());

        await Assert.ThrowsAsync<PortalValidationException>(() => tokens.CreateAsync("deploy", "Overlord", "ada"));
        await Assert.ThrowsAsync<PortalValidationException>(() => tokens.CreateAsync("", Roles.User, "ada"));
        Assert.Single(await tokens.ListAsync());

        Assert.True(await tokens.RevokeAsync(created.Token.Id, "grace"));
        Assert.Equal(["ada created the API token 'ci' (Manager)", "grace revoked the API token 'ci'"], await StoredAuditAsync());
        await using var db = await _db.ContextAsync();
        Assert.DoesNotContain(created.Secret, string.Join("", await db.LogEntries.Select(e => e.Details ?? "").ToListAsync()));
    }

    [Fact]
    public void TheLogQueueRefusesAuditEntries()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _db.Get<IntegrationLog>().Write(LogLevel.Info, LogCategories.Config, "Settings saved"));
        Assert.Contains("AuditEntry", refused.Message);
    }
}

/// Accounts go through ASP.NET Core Identity's user store, which saves through the same context as the audit entry.
public sealed class AccountAuditTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<List<string>> StoredAuditAsync(string about)
    {
        await using var db = await fixture.Factory.Services.GetRequiredService<IDbContextFactory<Portal.Core.Persistence.PortalDbContext>>().CreateDbContextAsync();
        return await db.LogEntries.Where(e => e.Category == LogCategories.Config && e.Message.Contains(about)).OrderBy(e => e.Id).Select(e => e.Message).ToListAsync();
    }

    [Fact]
    public async Task AnAccountChangeIsStoredWithItsAuditEntryAndARefusedOneLeavesNone()
    {
        var accounts = fixture.Factory.Services.GetRequiredService<AccountService>();
        await Assert.ThrowsAsync<PortalValidationException>(() => accounts.CreateAsync("audit@portal.test", "short", Roles.User));
        Assert.Empty(await StoredAuditAsync("audit@portal.test"));
        Assert.DoesNotContain(await accounts.ListAsync(), a => a.Email == "audit@portal.test");

        var account = await accounts.CreateAsync("audit@portal.test", "Audit-Passw0rd", Roles.User);
        await accounts.SetRoleAsync(account.Id, Roles.Manager);
        await accounts.SetDisabledAsync(account.Id, true);

        Assert.Equal(["Account audit@portal.test created as User", "Account audit@portal.test: role User → Manager", "Account audit@portal.test disabled"],
            await StoredAuditAsync("audit@portal.test"));
        Assert.Contains(await accounts.ListAsync(), a => a.Email == "audit@portal.test" && a.Role == Roles.Manager && a.IsDisabled);
    }
}
