using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Dispatch;
using Portal.Core.Rulesets;

namespace Portal.Core.Persistence.Configurations;

internal sealed class PlannedActionConfiguration : IEntityTypeConfiguration<PlannedActionEntity>
{
    public void Configure(EntityTypeBuilder<PlannedActionEntity> builder)
    {
        builder.ToTable("PlannedActions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.ActionType).HasMaxLength(64);
        builder.Property(a => a.ObjectName).HasMaxLength(64);
        builder.Property(a => a.RecordId).HasMaxLength(32);
        builder.Property(a => a.IncidentId).HasMaxLength(64);
        builder.Property(a => a.Ruleset).HasMaxLength(200);
        builder.Property(a => a.Rule).HasMaxLength(200);
        builder.Property(a => a.RequestedBy).HasMaxLength(256);
        builder.Property(a => a.IdempotencyKey).HasMaxLength(255);
        builder.Property(a => a.State).HasMaxLength(16);
        builder.Property(a => a.LeaseOwner).HasMaxLength(128);
        builder.Property(a => a.EchoEventId).HasMaxLength(64);
        builder.Property(a => a.TraceParent).HasMaxLength(55);
        builder.HasIndex(a => new { a.State, a.NextAttemptUtc });
        // the claim's order: the oldest due first
        builder.HasIndex(a => new { a.State, a.CreatedUtc });
        builder.HasIndex(a => a.RecordId);
        builder.HasIndex(a => new { a.IncidentId, a.State });
        builder.HasIndex(a => a.IdempotencyKey);
        builder.HasIndex(a => a.CorrelationId);
        // a claim reads back the rows it took by its token: only rows in flight carry one
        builder.HasIndex(a => a.ClaimToken).HasFilter("\"ClaimToken\" IS NOT NULL");
    }
}

internal sealed class RulesetVersionConfiguration : IEntityTypeConfiguration<RulesetVersionEntity>
{
    public void Configure(EntityTypeBuilder<RulesetVersionEntity> builder)
    {
        builder.ToTable("RulesetVersions");
        builder.HasKey(v => v.Version);
        builder.Property(v => v.Version).ValueGeneratedNever();
        builder.Property(v => v.CreatedBy).HasMaxLength(256);
        builder.Property(v => v.Note).HasMaxLength(500);
        builder.Property(v => v.Comment).HasMaxLength(Rulesets.RulesetVersionComment.MaxLength);
    }
}
