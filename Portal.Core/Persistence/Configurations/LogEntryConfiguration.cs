using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Logging;

namespace Portal.Core.Persistence.Configurations;

internal sealed class LogEntryConfiguration : IEntityTypeConfiguration<LogEntryEntity>
{
    public void Configure(EntityTypeBuilder<LogEntryEntity> builder)
    {
        builder.ToTable("LogEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Category).HasMaxLength(16);
        builder.Property(e => e.Message).HasMaxLength(LogEntryEntity.MaxMessage);
        builder.Property(e => e.RecordId).HasMaxLength(32);
        builder.Property(e => e.IncidentId).HasMaxLength(64);
        // time ranges, the purge's cut-off, and counts of "this level and above in this time range" from the index alone
        builder.HasIndex(e => new { e.TimeUtc, e.Level });
        builder.HasIndex(e => new { e.Level, e.Id });
        builder.HasIndex(e => new { e.Category, e.Id });
        // counts "this category at this level and above" without reading the rows (the viewer's total)
        builder.HasIndex(e => new { e.Category, e.Level });
        builder.HasIndex(e => e.CorrelationId);
        builder.HasIndex(e => e.RecordId);
        builder.HasIndex(e => e.IncidentId);
    }
}
