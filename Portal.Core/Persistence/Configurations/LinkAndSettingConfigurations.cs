using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Settings;

namespace Portal.Core.Persistence.Configurations;

internal sealed class IncidentLinkConfiguration : IEntityTypeConfiguration<IncidentLinkEntity>
{
    public void Configure(EntityTypeBuilder<IncidentLinkEntity> builder)
    {
        builder.ToTable("IncidentLinks");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.RecordId).HasMaxLength(32);
        builder.Property(l => l.ObjectName).HasMaxLength(64);
        builder.Property(l => l.IncidentId).HasMaxLength(64);
        builder.Property(l => l.Title).HasMaxLength(1024);
        builder.Property(l => l.Status).HasMaxLength(32);
        builder.Property(l => l.Urgency).HasMaxLength(16);
        builder.Property(l => l.Priority).HasMaxLength(64);
        builder.Property(l => l.ServiceId).HasMaxLength(64);
        builder.Property(l => l.ServiceName).HasMaxLength(256);
        builder.Property(l => l.HtmlUrl).HasMaxLength(512);
        builder.Property(l => l.Assignees).HasMaxLength(2048);
        builder.Property(l => l.LinkedBy).HasMaxLength(256);
        builder.HasIndex(l => new { l.RecordId, l.IncidentId }).IsUnique();
        builder.HasIndex(l => l.IncidentId);
        builder.HasOne<RecordEntity>().WithMany().HasForeignKey(l => l.RecordId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SettingConfiguration : IEntityTypeConfiguration<SettingEntity>
{
    public void Configure(EntityTypeBuilder<SettingEntity> builder)
    {
        builder.ToTable("Settings");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(64);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
    }
}
