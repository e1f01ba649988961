using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Dispatch;
using Portal.Core.Persistence;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Endpoints;
using Portal.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// The services check their caller against the database at the moment of a write, whatever the page in front of them
/// believed when it opened: a principal is what an open tab's circuit keeps, long after the cookie was refused.
public sealed class AccessCheckTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string NoRules = """{"schemaVersion":1,"rulesets":[]}""";

    private PortalAppFactory Portal => fixture.Factory;
    private AccountService Accounts => Portal.Services.GetRequiredService<AccountService>();
    private RulesetStore Rulesets => Portal.Services.GetRequiredService<RulesetStore>();
    private ApiTokenService Tokens => Portal.Services.GetRequiredService<ApiTokenService>();

    private async Task<ClaimsPrincipal> AdministratorAsync() => (await Portal.SignedInAccountAsync(Roles.Administrator)).Principal;

    [Theory]
    [InlineData("disabled")]
    [InlineData("demoted to User")]
    public async Task RefusesARulesSaveFromAManagerChangedSinceSigningIn(string change)
    {
        var (manager, principal) = await Portal.SignedInAccountAsync(Roles.Manager);
        if (change == "disabled") await Accounts.SetDisabledAsync(manager.Id, true, await AdministratorAsync());
        else await Accounts.SetRoleAsync(manager.Id, Roles.User, await AdministratorAsync());
        var before = await Rulesets.VersionsAsync();

        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Rulesets.SaveAsync(NoRules, principal, "from an open tab"));
        Assert.Contains("sign in again", refused.Message);
        await Assert.ThrowsAsync<PortalForbiddenException>(() => Rulesets.RestoreAsync(1, principal));
        Assert.Equal(before.Count, (await Rulesets.VersionsAsync()).Count);
    }

    [Fact]
    public async Task RefusesAVersionNoteFromAUserAndStoresNothing()
    {
        var (_, principal) = await Portal.SignedInAccountAsync(Roles.User);
        var before = await Rulesets.VersionsAsync();

        await Assert.ThrowsAsync<PortalForbiddenException>(() => Rulesets.SaveAsync(NoRules, principal, "from an open tab", "my note"));
        Assert.Equal(before.Count, (await Rulesets.VersionsAsync()).Count);
    }

    [Fact]
    public async Task SavesRulesForAnUnchangedManagerUnderItsOwnName()
    {
        var (manager, principal) = await Portal.SignedInAccountAsync(Roles.Manager);
        var saved = await Rulesets.SaveAsync(NoRules, principal, "from the Rulesets tab");
        Assert.Equal(manager.Email, saved.CreatedBy);
    }

    [Fact]
    public async Task RefusesAnAdministratorTokenToAnAdministratorDemotedToUser()
    {
        var (demoted, principal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        await Accounts.SetRoleAsync(demoted.Id, Roles.User, await AdministratorAsync());

        await Assert.ThrowsAsync<PortalForbiddenException>(() => Tokens.CreateAsync("escalation", Roles.Administrator, principal));
        Assert.DoesNotContain(await Tokens.ListAsync(), t => t.Name == "escalation");
    }

    [Fact]
    public async Task RefusesAccountChangesFromAnAdministratorDisabledSinceSigningIn()
    {
        var (disabled, principal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        var (someone, _) = await Portal.SignedInAccountAsync(Roles.User);
        await Accounts.SetDisabledAsync(disabled.Id, true, await AdministratorAsync());

        await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.SetRoleAsync(someone.Id, Roles.Administrator, principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.SetDisabledAsync(disabled.Id, false, principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.CreateAsync($"{Guid.NewGuid():n}@portal.test", "Passw0rd-Passw0rd", Roles.Administrator, principal));
        var accounts = await Accounts.ListAsync();
        Assert.Equal(Roles.User, accounts.Single(a => a.Id == someone.Id).Role);
        Assert.True(accounts.Single(a => a.Id == disabled.Id).IsDisabled);
    }

    [Fact]
    public async Task RefusesAnUnlinkFromAManagerDemotedToUser()
    {
        var (manager, principal) = await Portal.SignedInAccountAsync(Roles.Manager);
        var links = Portal.Services.GetRequiredService<Portal.Core.Links.IncidentLinks>();
        var caseId = await fixture.CaseIdAsync();
        var incidentId = $"P{Guid.NewGuid():N}"[..14];
        await links.LinkAsync(caseId, new Portal.Core.Links.IncidentState(incidentId, Status: "triggered"), "agent");
        await Accounts.SetRoleAsync(manager.Id, Roles.User, await AdministratorAsync());

        await Assert.ThrowsAsync<PortalForbiddenException>(() => links.UnlinkAsync(caseId, incidentId, principal));
        Assert.Contains(await links.ForRecordAsync(caseId), l => l.IncidentId == incidentId);
    }

    [Fact]
    public async Task RefusesAnObjectTypeFromAnAdministratorDisabledSinceSigningIn()
    {
        var (disabled, principal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        await Accounts.SetDisabledAsync(disabled.Id, true, await AdministratorAsync());
        var catalog = Portal.Services.GetRequiredService<Portal.Core.Records.ObjectCatalog>();

        await Assert.ThrowsAsync<PortalForbiddenException>(() => catalog.DefineAsync(new Portal.Core.Records.ObjectTypeDto("Outage", null, true, []), principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => catalog.SetRunRulesAsync("Case", false, principal));
        var snapshot = await catalog.GetAsync();
        Assert.DoesNotContain(snapshot.Objects, o => o.Name == "Outage");
        Assert.True(snapshot.Get("Case").RunRules);
    }

    [Fact]
    public async Task RefusesRecordWritesFromAUserDisabledSinceSigningIn()
    {
        var (user, principal) = await Portal.SignedInAccountAsync(Roles.User);
        var records = Portal.Services.GetRequiredService<Portal.Core.Records.RecordStore>();
        var caseId = await fixture.CaseIdAsync();
        await Accounts.SetDisabledAsync(user.Id, true, await AdministratorAsync());

        var subject = System.Text.Json.JsonDocument.Parse("""{"Subject":"Changed from an open tab"}""").RootElement;
        await Assert.ThrowsAsync<PortalForbiddenException>(() => records.UpdateAsync("Case", caseId, subject, principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => records.CreateAsync("Case", subject, principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => records.AddCommentAsync("Case", caseId, "from an open tab", principal));
        Assert.NotEqual("Changed from an open tab", (await records.GetAsync("Case", caseId)).Fields["Subject"]?.GetValue<string>());
        Assert.Empty(await records.ListCommentsAsync("Case", caseId));
    }

    [Fact]
    public async Task RefusesADeadLetterRetryFromAUserDisabledSinceSigningIn()
    {
        var (user, principal) = await Portal.SignedInAccountAsync(Roles.User);
        var id = Guid.NewGuid();
        await using (var db = await Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.PlannedActions.Add(new PlannedActionEntity
            {
                Id = id, ActionType = "acknowledgeIncident", PayloadJson = """{"type":"acknowledgeIncident"}""", RequestedBy = "rule",
                State = PlannedActionStates.DeadLettered, CreatedUtc = DateTime.UtcNow, NextAttemptUtc = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await Accounts.SetDisabledAsync(user.Id, true, await AdministratorAsync());
        var queries = Portal.Services.GetRequiredService<PlannedActionQueries>();

        await Assert.ThrowsAsync<PortalForbiddenException>(() => queries.RetryAsync(id, principal));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => queries.DiscardAsync(id, principal));
        Assert.Contains(await queries.DeadLettersAsync(), a => a.Id == id);
    }

    [Fact]
    public async Task RefusesAWriteByAManagerWithoutThePermission()
    {
        var (_, manager) = await Portal.SignedInAccountAsync(Roles.Manager);
        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Tokens.CreateAsync("ci", Roles.User, manager));
        Assert.Equal("Your role (Manager) does not have the 'admin' permission.", refused.Message);
    }

    [Fact]
    public async Task NamesTheAdministratorInTheAuditOfAnAccountChange()
    {
        var (admin, principal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        var (someone, _) = await Portal.SignedInAccountAsync(Roles.User);
        await Accounts.SetRoleAsync(someone.Id, Roles.Auditor, principal);

        var log = Portal.Services.GetRequiredService<Portal.Core.Logging.IntegrationLog>();
        var audit = (await log.QueryAsync(new Portal.Core.Logging.LogQuery(Category: "config", Text: someone.Email))).Entries;
        Assert.Contains(audit, e => e.Message == $"Account {someone.Email}: role User → Auditor by {admin.Email}");
    }

    [Fact]
    public async Task RefusesATokenRevokedAfterItAuthenticated()
    {
        var created = await Tokens.CreateAsync("deploy", Roles.Manager, "tests");
        var caller = await Tokens.ValidateAsync(created.Secret);
        var principal = ApiTokenAuthenticationHandler.PrincipalFor(caller!);
        Assert.Equal(created.Token.Name, (await Rulesets.SaveAsync(NoRules, principal)).CreatedBy);

        await Tokens.RevokeAsync(created.Token.Id, "tests");
        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Rulesets.SaveAsync(NoRules, principal));
        Assert.Equal("This API token is no longer valid.", refused.Message);
    }

    [Fact]
    public async Task RefusesAnAnonymousPrincipal()
    {
        await Assert.ThrowsAsync<PortalForbiddenException>(() => Rulesets.SaveAsync(NoRules, new ClaimsPrincipal(new ClaimsIdentity())));
    }

    [Fact]
    public async Task AnswersARefusalWithA403Problem()
    {
        var context = new DefaultHttpContext { RequestServices = Portal.Services };
        context.Response.Body = new MemoryStream();
        var handled = await new ApiExceptionHandler().TryHandleAsync(context, new PortalForbiddenException("Your role (User) does not have the 'admin' permission."), default);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("Permission denied", body);
        Assert.Contains("does not have the 'admin' permission", body);
    }
}
