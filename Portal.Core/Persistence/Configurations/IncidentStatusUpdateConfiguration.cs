using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.StatusDashboard;

namespace Portal.Core.Persistence.Configurations;

internal sealed class IncidentStatusUpdateConfiguration : IEntityTypeConfiguration<IncidentStatusUpdateEntity>
{
    public void Configure(EntityTypeBuilder<IncidentStatusUpdateEntity> builder)
    {
        builder.ToTable("IncidentStatusUpdates");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.IncidentId).HasMaxLength(64);
        builder.Property(u => u.PagerDutyId).HasMaxLength(64);
        builder.Property(u => u.Source).HasMaxLength(16);
        builder.Property(u => u.Author).HasMaxLength(256);
        // one row per PagerDuty update, however often (and from whichever side) it arrives; NULLs do not collide
        builder.HasIndex(u => u.PagerDutyId).IsUnique();
        builder.HasIndex(u => new { u.IncidentId, u.CreatedUtc });
    }
}

internal sealed class StatusDashboardReadConfiguration : IEntityTypeConfiguration<StatusDashboardReadEntity>
{
    public void Configure(EntityTypeBuilder<StatusDashboardReadEntity> builder)
    {
        builder.ToTable("StatusDashboardReads");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Mode).HasMaxLength(16);
    }
}
