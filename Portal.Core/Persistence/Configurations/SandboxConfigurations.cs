using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Sandbox;

namespace Portal.Core.Persistence.Configurations;

internal sealed class SandboxIncidentConfiguration : IEntityTypeConfiguration<SandboxIncidentEntity>
{
    public void Configure(EntityTypeBuilder<SandboxIncidentEntity> builder)
    {
        builder.ToTable("SandboxIncidents");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).HasMaxLength(32);
        builder.Property(i => i.Title).HasMaxLength(1024);
        builder.Property(i => i.Status).HasMaxLength(16);
        builder.Property(i => i.Urgency).HasMaxLength(8);
        builder.Property(i => i.ServiceId).HasMaxLength(32);
        builder.Property(i => i.PriorityId).HasMaxLength(32);
        builder.Property(i => i.EscalationPolicyId).HasMaxLength(32);
        builder.Property(i => i.IncidentKey).HasMaxLength(255);
        builder.HasIndex(i => i.Number).IsUnique();
        builder.HasIndex(i => i.IncidentKey);
    }
}

internal sealed class SandboxNoteConfiguration : IEntityTypeConfiguration<SandboxNoteEntity>
{
    public void Configure(EntityTypeBuilder<SandboxNoteEntity> builder)
    {
        builder.ToTable("SandboxNotes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).HasMaxLength(32);
        builder.Property(n => n.IncidentId).HasMaxLength(32);
        builder.Property(n => n.Kind).HasMaxLength(16);
        builder.Property(n => n.UserName).HasMaxLength(256);
        builder.HasIndex(n => n.IncidentId);
    }
}

internal sealed class SandboxBusinessServiceConfiguration : IEntityTypeConfiguration<SandboxBusinessServiceEntity>
{
    public void Configure(EntityTypeBuilder<SandboxBusinessServiceEntity> builder)
    {
        builder.ToTable("SandboxBusinessServices");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(32);
        builder.Property(s => s.Name).HasMaxLength(256);
        builder.Property(s => s.Description).HasMaxLength(1024);
        builder.HasData(SandboxAccount.BusinessServices.Select(s => new SandboxBusinessServiceEntity
        {
            Id = s.Id, Name = s.Name, Description = s.Description,
            SupportingServiceIdsJson = System.Text.Json.JsonSerializer.Serialize(s.SupportingServiceIds),
        }));
    }
}

internal sealed class SandboxWebhookSubscriptionConfiguration : IEntityTypeConfiguration<SandboxWebhookSubscriptionEntity>
{
    public void Configure(EntityTypeBuilder<SandboxWebhookSubscriptionEntity> builder)
    {
        builder.ToTable("SandboxWebhookSubscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(32);
        builder.Property(s => s.Url).HasMaxLength(2048);
        builder.Property(s => s.FilterType).HasMaxLength(32);
        builder.Property(s => s.FilterId).HasMaxLength(32);
    }
}
