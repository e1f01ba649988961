namespace Portal.Core.Security;

/// A machine API token made in the UI. Only a SHA-256 hash of the secret is kept; the secret is shown once.
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public required string TokenHash { get; set; }
    /// The first characters of the token, so that people can tell their tokens apart without the secret.
    public required string Prefix { get; set; }
    public DateTime CreatedUtc { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime? LastUsedUtc { get; set; }
    public DateTime? RevokedUtc { get; set; }
    public string? RevokedBy { get; set; }

    public bool IsActive => RevokedUtc is null;
}
