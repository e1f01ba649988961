using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Security;

namespace Portal.Core.Rulesets;

/// The saved rules document with its history. A save validates the whole document against the object types,
/// stores it as a new version and swaps the compiled snapshot in one step: all or nothing. A save or a restore for a
/// caller checks that the caller has rules.write now (AccessCheck); the unchecked ones are for the portal's own code and tests.
/// A version saved by another instance is compiled once `ConfigGenerations` sees the rules move.
public sealed class RulesetStore
{
    private readonly IDbContextFactory<PortalDbContext> dbFactory;
    private readonly ObjectCatalog catalog;
    private readonly Logging.IntegrationLog log;
    private readonly TimeProvider clock;
    private readonly AccessCheck access;
    private readonly Notifications.ChangeNotifier notifier;
    private readonly RulesSnapshotHolder _holder = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile bool _loaded;

    public RulesetStore(IDbContextFactory<PortalDbContext> dbFactory, ObjectCatalog catalog, Logging.IntegrationLog log, TimeProvider clock,
        AccessCheck access, Notifications.ChangeNotifier notifier, Notifications.ConfigGenerations generations)
    {
        (this.dbFactory, this.catalog, this.log, this.clock, this.access, this.notifier) = (dbFactory, catalog, log, clock, access, notifier);
        generations.Watch(Notifications.ConfigGenerations.Rules, ReloadAsync);
    }

    // the saved version announces itself from its row (`RulesetSaved`, after the commit)

    /// The compiled rules in force.
    public async Task<RulesSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        if (!_loaded) await LoadAsync(cancellationToken);
        return _holder.Current;
    }

    public async Task<(long Version, RulesDocument Document)> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(cancellationToken);
        return (snapshot.Version, snapshot.Document);
    }

    /// Parses and validates a rules document without saving it; errors are keyed by their JSON path.
    public async Task<RulesDocument> ValidateAsync(string json, CancellationToken cancellationToken = default) =>
        (await ValidateForCompileAsync(json, cancellationToken)).Document;

    /// The same, with the schema it was checked against, for compiling it without checking it again.
    internal async Task<(RulesDocument Document, ObjectSchema Schema)> ValidateForCompileAsync(string json, CancellationToken cancellationToken = default)
    {
        RulesDocument document;
        try
        {
            document = RulesDocumentJson.Parse(json);
        }
        catch (RulesDocumentFormatException e)
        {
            throw new PortalValidationException(string.IsNullOrEmpty(e.Path) ? "document" : e.Path, e.Message);
        }
        var schema = (await catalog.GetAsync(cancellationToken)).ToRulesSchema();
        var result = new RulesDocumentValidator(schema).Validate(document);
        if (!result.IsValid)
        {
            throw new PortalValidationException(result.Errors
                .GroupBy(e => string.IsNullOrEmpty(e.PropertyName) ? "document" : e.PropertyName)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));
        }
        // what is saved can be exported and imported again: the export must fit the import's limit
        var exported = System.Text.Encoding.UTF8.GetByteCount(Serialize(document));
        if (exported > MaxDocumentBytes)
            throw new PortalValidationException("document", $"The rules document would export as {exported / 1024:N0} KiB; an import takes at most " +
                $"{MaxDocumentBytes / 1024:N0} KiB. Split long texts or remove rules.");
        return (document, schema);
    }

    /// The largest rules document, as exported, that `PUT /api/rulesets` (an import) takes.
    public const int MaxDocumentBytes = 1024 * 1024;

    public Task<RulesetVersionInfo> SaveAsync(string json, ClaimsPrincipal by, string? note = null, CancellationToken cancellationToken = default) =>
        SaveAsync(json, by, note, comment: null, cancellationToken);

    /// `comment` is the saver's own note for the version (RulesetVersionComment): kept only with rules.write, like the rules.
    public async Task<RulesetVersionInfo> SaveAsync(string json, ClaimsPrincipal by, string? note, string? comment, CancellationToken cancellationToken = default) =>
        await SaveAsync(json, (await access.DemandAsync(by, Permissions.RulesWrite, cancellationToken)).Name, note, comment, cancellationToken);

    internal Task<RulesetVersionInfo> SaveAsync(string json, string savedBy, string? note = null, CancellationToken cancellationToken = default) =>
        SaveAsync(json, savedBy, note, comment: null, cancellationToken);

    internal async Task<RulesetVersionInfo> SaveAsync(string json, string savedBy, string? note, string? comment, CancellationToken cancellationToken = default)
    {
        comment = RulesetVersionComment.Normalize(comment);
        // checked once: against the object types it is then compiled with
        var (document, schema) = await ValidateForCompileAsync(json, cancellationToken);
        await SnapshotAsync(cancellationToken); // loads the version in force first; takes the same lock
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // first, so that a save on another instance waits for this one's commit and then numbers after it
            await Notifications.ConfigGenerations.BumpAsync(db, Notifications.ConfigGenerations.Rules, cancellationToken);
            var version = (await db.RulesetVersions.MaxAsync(v => (long?)v.Version, cancellationToken) ?? 0) + 1;
            var snapshot = RulesSnapshot.CompileValidated(document, schema, version);
            var entity = new RulesetVersionEntity
            {
                Version = version,
                DocumentJson = Serialize(document),
                CreatedUtc = clock.GetUtcNow().UtcDateTime,
                CreatedBy = savedBy,
                Note = note,
                Comment = comment,
                RuleCount = document.Rulesets.Sum(r => r.Rules.Count),
            };
            db.RulesetVersions.Add(entity);
            db.LogEntries.Add(log.AuditEntry($"Rules version {version} saved by {savedBy}: {Counted.Of(entity.RuleCount, "rule")} ({note ?? "saved"})" +
                (comment is null ? "" : $": {comment}"), new { version, savedBy, note, comment, rules = entity.RuleCount }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _holder.Publish(snapshot);
            return Info(entity);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// Promotes a shadow rule of the version in force to live: one new version, the rule's `mode` left out (live), every
    /// other rule as it was. rules.write, checked for the caller now.
    public async Task<RulesetVersionInfo> PromoteAsync(string ruleset, string rule, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        var savedBy = (await access.DemandAsync(by, Permissions.RulesWrite, cancellationToken)).Name;
        var (_, document) = await CurrentAsync(cancellationToken);
        var found = document.Rulesets.FirstOrDefault(s => s.Name == ruleset)?.Rules.FirstOrDefault(r => r.Name == rule)
            ?? throw new PortalNotFoundException($"The rules in force have no rule '{rule}' in ruleset '{ruleset}'.");
        if (!found.IsShadow) throw new PortalValidationException("mode", $"Rule '{rule}' is live already.");
        var promoted = document with
        {
            Rulesets = [.. document.Rulesets.Select(s => s.Name != ruleset ? s : s with
            {
                Rules = [.. s.Rules.Select(r => r.Name == rule ? r with { Mode = null } : r)],
            })],
        };
        return await SaveAsync(Serialize(promoted), savedBy, $"Promoted rule '{rule}' from shadow to live", comment: null, cancellationToken);
    }

    public async Task<IReadOnlyList<RulesetVersionInfo>> VersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.RulesetVersions.AsNoTracking().OrderByDescending(v => v.Version)
            .Select(v => new { v.Version, v.CreatedUtc, v.CreatedBy, v.Note, v.RuleCount, v.Comment }).ToListAsync(cancellationToken);
        return versions.Select(v => new RulesetVersionInfo(v.Version, v.CreatedUtc, v.CreatedBy, v.Note, v.RuleCount, v.Comment)).ToList();
    }

    public async Task<string> VersionJsonAsync(long version, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RulesetVersions.AsNoTracking().Where(v => v.Version == version).Select(v => v.DocumentJson)
            .FirstOrDefaultAsync(cancellationToken) ?? throw new PortalNotFoundException($"There is no rules version {version}.");
    }

    /// Makes an earlier version the one in force again, as a new version (the history keeps both).
    public async Task<RulesetVersionInfo> RestoreAsync(long version, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RestoreAsync(version, (await access.DemandAsync(by, Permissions.RulesWrite, cancellationToken)).Name, cancellationToken);

    internal async Task<RulesetVersionInfo> RestoreAsync(long version, string restoredBy, CancellationToken cancellationToken = default) =>
        await SaveAsync(await VersionJsonAsync(version, cancellationToken), restoredBy, $"Restored version {version}", cancellationToken);

    // Exports are read by people: keep '>' and quotes as they are rather than \u003E escapes.
    private static readonly JsonSerializerOptions s_readable = new(RulesDocumentJson.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(RulesDocument document) => JsonSerializer.Serialize(document, s_readable);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_loaded) return;
            if (await CompileNewerAsync(0, cancellationToken) is { } latest) _holder.Publish(latest);
            _loaded = true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// Another instance saved rules: the newest version is compiled when it is newer than the one in force.
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (!_loaded) return; // the first use loads the newest anyway
        await _writeLock.WaitAsync(cancellationToken);
        RulesSnapshot? compiled = null;
        try
        {
            compiled = await CompileNewerAsync(_holder.Current.Version, cancellationToken);
            if (compiled is not null) _holder.Publish(compiled);
        }
        finally
        {
            _writeLock.Release();
        }
        if (compiled is not null) notifier.PublishReceived(new Notifications.RulesetSaved(compiled.Version));
    }

    /// The newest saved version, compiled, when it is newer than `than`.
    private async Task<RulesSnapshot?> CompileNewerAsync(long than, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.RulesetVersions.AsNoTracking().Where(v => v.Version > than).OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
        if (latest is null) return null;
        var schema = (await catalog.GetAsync(cancellationToken)).ToRulesSchema();
        return RulesSnapshot.Compile(RulesDocumentJson.Parse(latest.DocumentJson), schema, latest.Version);
    }

    private static RulesetVersionInfo Info(RulesetVersionEntity v) => new(v.Version, v.CreatedUtc, v.CreatedBy, v.Note, v.RuleCount, v.Comment);
}
