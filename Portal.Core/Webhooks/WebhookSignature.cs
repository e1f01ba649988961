using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Webhooks;

public enum SignatureCheck { Valid, Malformed, Mismatch }

/// `X-PagerDuty-Signature`: comma-separated `v1=` + lowercase hex HMAC-SHA256 of the raw body, keyed with a
/// signing secret. Any one valid `v1` entry is enough; entries of other versions are ignored; comparison is in
/// constant time.
public static class WebhookSignature
{
    public static SignatureCheck Verify(ReadOnlySpan<byte> body, string? header, IReadOnlyList<string> secrets)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 4096) return SignatureCheck.Malformed;
        var candidates = new List<byte[]>();
        foreach (var entry in header.Split(','))
        {
            var separator = entry.IndexOf('=');
            if (separator <= 0) return SignatureCheck.Malformed;
            if (entry.AsSpan(0, separator).Trim() is not "v1") continue;
            var hex = entry[(separator + 1)..].Trim();
            if (hex.Length != 64) return SignatureCheck.Malformed;
            try
            {
                candidates.Add(Convert.FromHexString(hex));
            }
            catch (FormatException)
            {
                return SignatureCheck.Malformed;
            }
        }

        var matched = false;
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret)) continue;
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
            // every candidate is compared, so the time taken says nothing about which one matched
            foreach (var candidate in candidates) matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }
        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
