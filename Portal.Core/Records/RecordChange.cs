using System.Text.Json.Nodes;
using Portal.Core.Persistence;

namespace Portal.Core.Records;

/// Who made a change. A change made by a rule carries the chain of rules that led to it (the loop guard reads it).
public sealed record ChangeActor(string Name, bool FromRule = false, IReadOnlyList<string>? RuleChain = null)
{
    public static ChangeActor System { get; } = new("system");
}

/// One record create or change, as its consumers (the rules engine, and live pages once it is committed) see it.
public sealed record RecordChange(
    ObjectTypeInfo Type, string RecordId, bool IsInsert, JsonObject Old, JsonObject New, ChangeActor Actor) : Notifications.IChange
{
    public string Object => Type.Name;

    /// The record as people name it in log messages: "Case 00000042" by its number, or "Opportunity <id>" for an object
    /// type without one (the entry's record id links it either way).
    public string Name => Type.RecordName(RecordId, New);

    public IEnumerable<string> ChangedFields =>
        New.Select(p => p.Key).Union(Old.Select(p => p.Key))
            .Where(k => !JsonNode.DeepEquals(Old[k], New[k]));
}

/// The one seam between the record store and whatever reacts to record changes. Handlers run inside the
/// store's transaction, before it commits, and may add rows (planned actions, log entries) to the same context:
/// the change and what it causes are stored together or not at all.
public interface IRecordChangeHandler
{
    Task OnRecordChangedAsync(RecordChange change, PortalDbContext db, CancellationToken cancellationToken);
}
