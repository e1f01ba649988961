using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Sandbox;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Core.Webhooks;

namespace Portal.Core.Persistence;

public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<PortalUser>(options), IDataProtectionKeyContext
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ObjectTypeEntity> ObjectTypes => Set<ObjectTypeEntity>();
    public DbSet<ObjectFieldEntity> ObjectFields => Set<ObjectFieldEntity>();
    public DbSet<NumberSequenceEntity> NumberSequences => Set<NumberSequenceEntity>();
    public DbSet<RecordEntity> Records => Set<RecordEntity>();
    public DbSet<RecordSortKeyEntity> RecordSortKeys => Set<RecordSortKeyEntity>();
    public DbSet<RecordCommentEntity> RecordComments => Set<RecordCommentEntity>();
    public DbSet<IncidentLinkEntity> IncidentLinks => Set<IncidentLinkEntity>();
    public DbSet<SettingEntity> Settings => Set<SettingEntity>();
    public DbSet<PlannedActionEntity> PlannedActions => Set<PlannedActionEntity>();
    public DbSet<RulesetVersionEntity> RulesetVersions => Set<RulesetVersionEntity>();
    public DbSet<SandboxIncidentEntity> SandboxIncidents => Set<SandboxIncidentEntity>();
    public DbSet<SandboxNoteEntity> SandboxNotes => Set<SandboxNoteEntity>();
    public DbSet<SandboxBusinessServiceEntity> SandboxBusinessServices => Set<SandboxBusinessServiceEntity>();
    public DbSet<SandboxWebhookSubscriptionEntity> SandboxWebhookSubscriptions => Set<SandboxWebhookSubscriptionEntity>();
    public DbSet<StatusDashboard.IncidentStatusUpdateEntity> IncidentStatusUpdates => Set<StatusDashboard.IncidentStatusUpdateEntity>();
    public DbSet<WebhookEventEntity> WebhookEvents => Set<WebhookEventEntity>();
    public DbSet<LogEntryEntity> LogEntries => Set<LogEntryEntity>();
    public DbSet<PagerDuty.RequestGrantEntity> RequestGrants => Set<PagerDuty.RequestGrantEntity>();
    public DbSet<PagerDuty.RequestBudgetStateEntity> RequestBudgetStates => Set<PagerDuty.RequestBudgetStateEntity>();
    public DbSet<StatusDashboard.StatusDashboardReadEntity> StatusDashboardReads => Set<StatusDashboard.StatusDashboardReadEntity>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            // the log's text search (SQLite has its FTS5 table, made by its migrations)
            builder.HasPostgresExtension("pg_trgm");
            builder.Entity<LogEntryEntity>().HasIndex(e => e.Message).HasMethod("gin").HasOperators("gin_trgm_ops");
            // sort keys order byte-wise, as SQLite's do, whatever the database's locale
            builder.Entity<RecordSortKeyEntity>().Property(k => k.Text).UseCollation("C");
            // the webhook claim reads only pending events: without these the planner walks the primary key past every
            // processed event (pending ones sit at its end), so each claim grew with the table (54 events/s at 37,000 rows)
            var pending = $"\"State\" = '{Webhooks.WebhookEventStates.Pending}'";
            builder.Entity<Webhooks.WebhookEventEntity>().HasIndex(e => e.Id).HasDatabaseName("IX_WebhookEvents_Pending").HasFilter(pending);
            builder.Entity<Webhooks.WebhookEventEntity>().HasIndex(e => new { e.IncidentId, e.Id }).HasDatabaseName("IX_WebhookEvents_Pending_IncidentId")
                .HasFilter(pending);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Times are stored as UTC and read back as UTC (SQLite keeps no kind).
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
