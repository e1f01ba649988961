using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Core.Records;

/// One create asked for once: a form's submission id or an API caller's `Idempotency-Key`, with a hash of what was
/// asked (the caller, the object, the values), so that the same key sent again returns the record it made and the same
/// key sent for another create is refused instead of answered with a record it did not ask for.
public sealed record RecordSubmission(string Key, string Hash)
{
    public const int MaxKeyLength = 200;

    /// The error key of a bad or reused submission key (the API's header).
    public const string Field = "Idempotency-Key";

    public static RecordSubmission For(string key, string actor, string objectName, IReadOnlyDictionary<string, JsonNode?> values)
    {
        if (Problem(key) is { } problem) throw new PortalValidationException(Field, problem);
        var asked = new JsonObject { ["by"] = actor, ["object"] = objectName };
        var fields = new JsonObject();
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal)) fields[name] = value?.DeepClone();
        asked["fields"] = fields;
        return new RecordSubmission(key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(asked.ToJsonString()))));
    }

    /// What is wrong with `key` as a submission key, or null: 1 to 200 printable ASCII characters.
    public static string? Problem(string key)
    {
        if (string.IsNullOrWhiteSpace(key)) return $"'{Field}' is empty; send 1 to {MaxKeyLength} printable ASCII characters, new for each create.";
        if (key.Length > MaxKeyLength) return $"'{Field}' is {key.Length} characters long; it takes at most {MaxKeyLength}.";
        if (key.Any(c => c is < ' ' or > '~')) return $"'{Field}' holds a character that is not printable ASCII; use letters, digits and punctuation.";
        return null;
    }

    /// The answer when the key already made a record from other values (or for another caller).
    public static PortalValidationException Reused(string key, string made) => new(Field,
        $"'{Field}' '{key}' was already used to create {made} from other values; send a new key for another record.");
}
