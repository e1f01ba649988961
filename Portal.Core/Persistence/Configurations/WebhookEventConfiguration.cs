using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Webhooks;

namespace Portal.Core.Persistence.Configurations;

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEventEntity>
{
    public void Configure(EntityTypeBuilder<WebhookEventEntity> builder)
    {
        builder.ToTable("WebhookEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.EventId).HasMaxLength(128);
        builder.Property(e => e.WebhookId).HasMaxLength(128);
        builder.Property(e => e.EventType).HasMaxLength(128);
        builder.Property(e => e.IncidentId).HasMaxLength(64);
        builder.Property(e => e.State).HasMaxLength(16);
        builder.HasIndex(e => e.EventId).IsUnique();
        builder.HasIndex(e => e.WebhookId).IsUnique();
        builder.HasIndex(e => new { e.State, e.Id });
        builder.HasIndex(e => e.ReceivedUtc);
        // is a newer event of the incident processed already (`WebhookEventStates.Superseded`)?
        builder.HasIndex(e => new { e.IncidentId, e.OccurredUtc });
    }
}
