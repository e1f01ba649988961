using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;

namespace Portal.Core.Security;

public sealed record AccountSummary(string Id, string Email, string Role, bool IsDisabled, DateTime CreatedUtc, DateTime? LastSignInUtc);

/// Local accounts (Authentication:Mode=Local). Each call takes its own scope, so that a Blazor circuit never
/// holds a database context for its lifetime. Identity's user store saves through the scope's `PortalDbContext`, so
/// a change and its audit entry commit in one transaction on that context. The public changes check their caller
/// (AccessCheck, permission admin); the unchecked ones are for the portal's own code and tests.
public sealed class AccountService(IServiceScopeFactory scopes, Logging.IntegrationLog log, TimeProvider clock, AccessCheck access)
{
    private static readonly SemaphoreSlim s_firstAdministrator = new(1, 1);

    public async Task<bool> AnyAccountAsync(CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        return await Users(scope).Users.AnyAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var users = await Users(scope).Users.AsNoTracking().ToListAsync(cancellationToken);
        return users.OrderBy(u => u.Email, StringComparer.OrdinalIgnoreCase)
            .Select(u => new AccountSummary(u.Id, u.Email ?? u.UserName ?? "", u.Role, u.IsDisabled, u.CreatedUtc, u.LastSignInUtc))
            .ToList();
    }

    public async Task<AccountSummary> CreateAsync(string email, string password, string role, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await CreateAsync(email, password, role, await AdministratorAsync(by, cancellationToken), cancellationToken);

    internal async Task<AccountSummary> CreateAsync(string email, string password, string role, string? by = null,
        CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        return await CreateInScopeAsync(scope, email, password, role, by, cancellationToken);
    }

    /// The one-time set-up: creates the first Administrator only while no account exists at all.
    public async Task<AccountSummary?> CreateFirstAdministratorAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        await s_firstAdministrator.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            if (await Users(scope).Users.AnyAsync(cancellationToken)) return null;
            try
            {
                return await CreateInScopeAsync(scope, email, password, Roles.Administrator, null, cancellationToken);
            }
            catch (Exception e) when (e is PortalValidationException or DbUpdateException)
            {
                // another instance on the same database created the first account at the same moment (several
                // instances started together with one bootstrap Administrator): there is nothing left to create
                using var again = scopes.CreateScope();
                if (await Users(again).Users.AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant(), cancellationToken)) return null;
                throw;
            }
        }
        finally
        {
            s_firstAdministrator.Release();
        }
    }

    public async Task SetRoleAsync(string id, string role, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await SetRoleAsync(id, role, await AdministratorAsync(by, cancellationToken), cancellationToken);

    internal async Task SetRoleAsync(string id, string role, string? by = null, CancellationToken cancellationToken = default)
    {
        var canonical = Roles.Normalize(role) ?? throw new PortalValidationException("role", $"'{role}' is not a role.");
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = await users.FindByIdAsync(id) ?? throw new PortalValidationException("id", "No such account.");
        if (user.Role == canonical) return;
        if (user.Role == Roles.Administrator && !user.IsDisabled)
            await EnsureAnotherActiveAdministratorAsync(users, user.Id, cancellationToken);
        var before = user.Role;
        await InOneTransactionAsync(scope, async () =>
        {
            user.Role = canonical;
            Check(await users.UpdateAsync(user));
            Check(await users.UpdateSecurityStampAsync(user));
            return log.AuditEntry($"Account {user.Email}: role {before} → {canonical}{By(by)}",
                new { account = user.Email, before = new { role = before }, after = new { role = canonical } });
        }, cancellationToken);
    }

    public async Task SetDisabledAsync(string id, bool disabled, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await SetDisabledAsync(id, disabled, await AdministratorAsync(by, cancellationToken), cancellationToken);

    internal async Task SetDisabledAsync(string id, bool disabled, string? by = null, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = await users.FindByIdAsync(id) ?? throw new PortalValidationException("id", "No such account.");
        if (user.IsDisabled == disabled) return;
        if (disabled && user.Role == Roles.Administrator)
            await EnsureAnotherActiveAdministratorAsync(users, user.Id, cancellationToken);
        await InOneTransactionAsync(scope, async () =>
        {
            user.IsDisabled = disabled;
            Check(await users.UpdateAsync(user));
            // A new stamp signs the account out of every browser at the next cookie validation.
            Check(await users.UpdateSecurityStampAsync(user));
            return log.AuditEntry($"Account {user.Email} {(disabled ? "disabled" : "enabled")}{By(by)}",
                new { account = user.Email, before = new { disabled = !disabled }, after = new { disabled } });
        }, cancellationToken);
    }

    /// The caller's own password, given the current one: any role, a person's account only (not an API token). Identity
    /// renews the security stamp, so every other sign-in of the account ends; the page that asked re-issues its own
    /// cookie (SignInManager.RefreshSignInAsync). Audited without either password.
    public async Task ChangeOwnPasswordAsync(ClaimsPrincipal me, string currentPassword, string newPassword,
        CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(me, Permissions.Read, cancellationToken);
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = (users.GetUserId(me) is { } id ? await users.FindByIdAsync(id) : null)
            ?? throw new PortalForbiddenException("Only a person's account has a password; an API token has none to change.");
        if (string.IsNullOrEmpty(currentPassword))
            throw new PortalValidationException("currentPassword", "Enter your current password.");
        if (!await users.CheckPasswordAsync(user, currentPassword))
            throw new PortalValidationException("currentPassword", "The current password is wrong.");
        if (currentPassword == newPassword)
            throw new PortalValidationException("newPassword", "The new password is the same as the current one.");
        await ValidatePasswordAsync(users, user, newPassword, "newPassword");
        await InOneTransactionAsync(scope, async () =>
        {
            Check(await users.ChangePasswordAsync(user, currentPassword, newPassword));
            return log.AuditEntry($"Account {user.Email}: password changed by its owner",
                new { account = user.Email, after = new { password = "***" } });
        }, cancellationToken);
    }

    /// An Administrator sets another account's password (the person forgot theirs): every sign-in of that account ends
    /// (a new security stamp), a lockout ends too. One's own password is changed with the current one instead.
    public async Task ResetPasswordAsync(string id, string newPassword, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        var caller = await AdministratorAsync(by, cancellationToken);
        RefuseOwnAccount(id, by, "Change your own password on the Password page (it asks for the current one).");
        await ResetPasswordAsync(id, newPassword, caller, cancellationToken);
    }

    internal async Task ResetPasswordAsync(string id, string newPassword, string? by = null, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = await users.FindByIdAsync(id) ?? throw new PortalValidationException("id", "No such account.");
        await ValidatePasswordAsync(users, user, newPassword, "password");
        await InOneTransactionAsync(scope, async () =>
        {
            if (await users.HasPasswordAsync(user)) Check(await users.RemovePasswordAsync(user));
            Check(await users.AddPasswordAsync(user, newPassword));
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
            // AddPasswordAsync renews the stamp already; said here because it is what signs the account out everywhere
            Check(await users.UpdateSecurityStampAsync(user));
            return log.AuditEntry($"Account {user.Email}: password reset{By(by)}",
                new { account = user.Email, after = new { password = "***" } });
        }, cancellationToken);
    }

    /// An Administrator deletes another account; never the last active Administrator. Its sign-ins stop working (the
    /// cookie's account is gone; an open page is sent to the sign-in at its next check) and its e-mail is free again.
    public async Task DeleteAsync(string id, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        var caller = await AdministratorAsync(by, cancellationToken);
        RefuseOwnAccount(id, by, "You cannot delete your own account; another Administrator can.");
        await DeleteAsync(id, caller, cancellationToken);
    }

    internal async Task DeleteAsync(string id, string? by = null, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = await users.FindByIdAsync(id) ?? throw new PortalValidationException("id", "No such account.");
        if (user.Role == Roles.Administrator && !user.IsDisabled)
            await EnsureAnotherActiveAdministratorAsync(users, user.Id, cancellationToken);
        await InOneTransactionAsync(scope, async () =>
        {
            Check(await users.DeleteAsync(user));
            return log.AuditEntry($"Account {user.Email} deleted{By(by)}",
                new { account = user.Email, before = new { role = user.Role, disabled = user.IsDisabled } });
        }, cancellationToken);
    }

    public async Task RecordSignInAsync(string email, CancellationToken cancellationToken = default)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var user = await users.FindByEmailAsync(email);
        if (user is null) return;
        user.LastSignInUtc = clock.GetUtcNow().UtcDateTime;
        await users.UpdateAsync(user);
    }

    private async Task<AccountSummary> CreateInScopeAsync(IServiceScope scope, string email, string password, string role, string? by,
        CancellationToken cancellationToken)
    {
        var users = Users(scope);
        email = email?.Trim() ?? "";
        if (email.Length == 0 || !email.Contains('@') || email.Length > 256)
            throw new PortalValidationException("email", "Enter a valid e-mail address.");
        var canonical = Roles.Normalize(role)
            ?? throw new PortalValidationException("role", $"'{role}' is not a role; use one of {string.Join(", ", Roles.All)}.");
        if (await users.FindByEmailAsync(email) is not null)
            throw new PortalValidationException("email", $"An account for {email} already exists.");

        var user = new PortalUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Role = canonical,
            LockoutEnabled = true,
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        await InOneTransactionAsync(scope, async () =>
        {
            var result = await users.CreateAsync(user, password ?? "");
            if (!result.Succeeded)
                throw new PortalValidationException(
                    result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email",
                    string.Join(" ", result.Errors.Select(e => e.Description)));
            return log.AuditEntry($"Account {email} created as {canonical}{By(by)}", new { account = email, after = new { role = canonical, password = "***" } });
        }, cancellationToken);
        return new AccountSummary(user.Id, email, canonical, false, user.CreatedUtc, null);
    }

    private async Task<string> AdministratorAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        (await access.DemandAsync(by, Permissions.Admin, cancellationToken)).Name;

    private void RefuseOwnAccount(string id, ClaimsPrincipal by, string message)
    {
        using var scope = scopes.CreateScope();
        if (Users(scope).GetUserId(by) == id) throw new PortalValidationException("id", message);
    }

    /// Identity's password rules (length, character kinds), named as `field`, before anything is changed.
    private static async Task ValidatePasswordAsync(UserManager<PortalUser> users, PortalUser user, string? password, string field)
    {
        if (string.IsNullOrEmpty(password)) throw new PortalValidationException(field, "Choose a new password.");
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            if (!result.Succeeded) errors.AddRange(result.Errors.Select(e => e.Description));
        }
        if (errors.Count > 0) throw new PortalValidationException(field, string.Join(" ", errors));
    }

    private static string By(string? by) => by is null ? "" : $" by {by}";

    private static async Task EnsureAnotherActiveAdministratorAsync(UserManager<PortalUser> users, string exceptId, CancellationToken cancellationToken)
    {
        var others = await users.Users.CountAsync(u => u.Role == Roles.Administrator && !u.IsDisabled && u.Id != exceptId, cancellationToken);
        if (others == 0)
            throw new PortalValidationException("role", "This is the last active Administrator; make another account Administrator first.");
    }

    /// Runs `change` (UserManager calls, each of which saves) and stores the audit entry it returns, all in one
    /// transaction on the context the user store saves through: a change that fails part-way leaves nothing behind.
    private static async Task InOneTransactionAsync(IServiceScope scope, Func<Task<Logging.LogEntryEntity>> change, CancellationToken cancellationToken)
    {
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.LogEntries.Add(await change());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new PortalValidationException("account", string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    private static UserManager<PortalUser> Users(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
}
