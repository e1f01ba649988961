using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Security;

/// Who a valid bearer token speaks for; `Id` is that of a token made in the UI, null for one from configuration.
public sealed record ApiCaller(string Name, string Role, Guid? Id = null);

/// A token from configuration (`ApiTokens:N:Name`, `:Token`, `:Role`).
public sealed record ConfiguredApiToken(string Name, string TokenHash, string Role);

public sealed record CreatedApiToken(ApiToken Token, string Secret);

/// Machine API tokens: configured ones and those an Administrator makes in the UI. Tokens are random, so an
/// unsalted SHA-256 is enough to store them; comparison is by hash lookup, never by the secret itself.
public sealed class ApiTokenService(IDbContextFactory<PortalDbContext> dbFactory, IConfiguration configuration, Logging.IntegrationLog log, TimeProvider clock,
    AccessCheck access)
{
    private static readonly TimeSpan s_lastUsedResolution = TimeSpan.FromMinutes(1);
    private const string SecretPrefix = "ptl_";

    private readonly IReadOnlyList<ConfiguredApiToken> _configured = ReadConfigured(configuration);

    public IReadOnlyList<ConfiguredApiToken> Configured => _configured;

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public async Task<ApiCaller?> ValidateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length > 512) return null;
        var hash = Hash(secret.Trim());

        foreach (var configured in _configured)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(configured.TokenHash), Encoding.ASCII.GetBytes(hash)))
                return new ApiCaller(configured.Name, configured.Role);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null || token.RevokedUtc is not null) return null;

        var now = clock.GetUtcNow().UtcDateTime;
        if (token.LastUsedUtc is null || now - token.LastUsedUtc >= s_lastUsedResolution)
        {
            token.LastUsedUtc = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return new ApiCaller(token.Name, token.Role, token.Id);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(cancellationToken);
        return tokens.OrderBy(t => t.RevokedUtc is not null).ThenByDescending(t => t.CreatedUtc).ToList();
    }

    public async Task<CreatedApiToken> CreateAsync(string name, string role, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await CreateAsync(name, role, (await access.DemandAsync(by, Permissions.Admin, cancellationToken)).Name, cancellationToken);

    /// Unchecked: for the portal's own code and tests; pages and endpoints pass the caller's principal.
    internal async Task<CreatedApiToken> CreateAsync(string name, string role, string createdBy, CancellationToken cancellationToken = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100) throw new PortalValidationException("name", "A token needs a name of 1 to 100 characters.");
        var canonicalRole = Roles.Normalize(role)
            ?? throw new PortalValidationException("role", $"'{role}' is not a role; use one of {string.Join(", ", Roles.All)}.");

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.NewGuid(),
            Name = name,
            Role = canonicalRole,
            TokenHash = Hash(secret),
            Prefix = secret[..10],
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
            CreatedBy = createdBy,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(token);
        db.LogEntries.Add(log.AuditEntry($"{createdBy} created the API token '{name}' ({canonicalRole})",
            new { token = name, role = canonicalRole, startsWith = token.Prefix, secret = "***" }));
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(token, secret);
    }

    public async Task<bool> RevokeAsync(Guid id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RevokeAsync(id, (await access.DemandAsync(by, Permissions.Admin, cancellationToken)).Name, cancellationToken);

    /// Unchecked: for the portal's own code and tests.
    internal async Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null || token.RevokedUtc is not null) return false;
        token.RevokedUtc = clock.GetUtcNow().UtcDateTime;
        token.RevokedBy = revokedBy;
        db.LogEntries.Add(log.AuditEntry($"{revokedBy} revoked the API token '{token.Name}'", new { token = token.Name, startsWith = token.Prefix }));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static List<ConfiguredApiToken> ReadConfigured(IConfiguration configuration)
    {
        var list = new List<ConfiguredApiToken>();
        foreach (var section in configuration.GetSection("ApiTokens").GetChildren())
        {
            var name = section["Name"];
            var token = section["Token"];
            var role = Roles.Normalize(section["Role"]);
            if (string.IsNullOrWhiteSpace(token)) continue;
            if (role is null)
                throw new InvalidOperationException(
                    $"ApiTokens:{section.Key}:Role is '{section["Role"]}'; use one of {string.Join(", ", Roles.All)}.");
            if (token.Trim().Length < 16)
                throw new InvalidOperationException($"ApiTokens:{section.Key}:Token is too short; use at least 16 characters.");
            list.Add(new ConfiguredApiToken(string.IsNullOrWhiteSpace(name) ? $"token {section.Key}" : name.Trim(), Hash(token.Trim()), role));
        }
        return list;
    }
}
