using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core;

public static class JsonObjects
{
    /// The JSON object in `json`, or null when it is empty, not JSON, or not an object (stored text read back).
    public static JsonObject? ParseOrNull(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
