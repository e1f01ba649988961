using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.PagerDuty;

namespace Portal.Core.Persistence.Configurations;

internal sealed class RequestGrantConfiguration : IEntityTypeConfiguration<RequestGrantEntity>
{
    public void Configure(EntityTypeBuilder<RequestGrantEntity> builder)
    {
        builder.ToTable("RequestGrants");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Caller).HasMaxLength(32);
        builder.HasIndex(g => g.GrantedUtc);
    }
}

internal sealed class RequestBudgetStateConfiguration : IEntityTypeConfiguration<RequestBudgetStateEntity>
{
    public void Configure(EntityTypeBuilder<RequestBudgetStateEntity> builder)
    {
        builder.ToTable("RequestBudgetState");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        // the one row every take writes first: it exists from the migration on
        builder.HasData(new RequestBudgetStateEntity { Id = RequestBudgetStateEntity.SingleId });
    }
}
