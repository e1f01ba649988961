using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Notifications;

namespace Portal.Core.Persistence.Configurations;

internal sealed class ConfigGenerationConfiguration : IEntityTypeConfiguration<ConfigGenerationEntity>
{
    public void Configure(EntityTypeBuilder<ConfigGenerationEntity> builder)
    {
        builder.ToTable("ConfigGenerations");
        builder.HasKey(g => g.Area);
        builder.Property(g => g.Area).HasMaxLength(32);
        builder.HasData(ConfigGenerations.Areas.Select(a => new ConfigGenerationEntity { Area = a, Generation = 0 }));
    }
}
