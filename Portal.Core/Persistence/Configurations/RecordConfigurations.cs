using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Records;

namespace Portal.Core.Persistence.Configurations;

internal sealed class ObjectTypeConfiguration : IEntityTypeConfiguration<ObjectTypeEntity>
{
    public void Configure(EntityTypeBuilder<ObjectTypeEntity> builder)
    {
        builder.ToTable("ObjectTypes");
        builder.HasKey(o => o.Name);
        builder.Property(o => o.Name).HasMaxLength(64);
        builder.Property(o => o.Label).HasMaxLength(100);
        builder.HasMany(o => o.Fields).WithOne().HasForeignKey(f => f.ObjectName);
        builder.HasData(BuiltInObjects.Types);
    }
}

internal sealed class ObjectFieldConfiguration : IEntityTypeConfiguration<ObjectFieldEntity>
{
    public void Configure(EntityTypeBuilder<ObjectFieldEntity> builder)
    {
        builder.ToTable("ObjectFields");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.ObjectName).HasMaxLength(64);
        builder.Property(f => f.Name).HasMaxLength(64);
        builder.Property(f => f.Label).HasMaxLength(100);
        builder.Property(f => f.Type).HasMaxLength(16);
        builder.HasIndex(f => new { f.ObjectName, f.Name }).IsUnique();
        builder.HasData(BuiltInObjects.Fields);
    }
}

internal sealed class NumberSequenceConfiguration : IEntityTypeConfiguration<NumberSequenceEntity>
{
    public void Configure(EntityTypeBuilder<NumberSequenceEntity> builder)
    {
        builder.ToTable("NumberSequences");
        builder.HasKey(s => s.ObjectName);
        builder.Property(s => s.ObjectName).HasMaxLength(64);
    }
}

internal sealed class RecordConfiguration : IEntityTypeConfiguration<RecordEntity>
{
    public void Configure(EntityTypeBuilder<RecordEntity> builder)
    {
        builder.ToTable("Records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(32);
        builder.Property(r => r.ObjectName).HasMaxLength(64);
        builder.Property(r => r.SearchText).HasMaxLength(4000);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.UpdatedBy).HasMaxLength(256);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => new { r.ObjectName, r.CreatedUtc });
        builder.HasIndex(r => new { r.ObjectName, r.UpdatedUtc });
        builder.Property(r => r.SubmissionKey).HasMaxLength(RecordSubmission.MaxKeyLength);
        builder.Property(r => r.SubmissionHash).HasMaxLength(64);
        // many records have none (NULLs are distinct on both providers); one submission makes at most one record
        builder.HasIndex(r => r.SubmissionKey).IsUnique();
    }
}

internal sealed class RecordSortKeyConfiguration : IEntityTypeConfiguration<RecordSortKeyEntity>
{
    public void Configure(EntityTypeBuilder<RecordSortKeyEntity> builder)
    {
        builder.ToTable("RecordSortKeys");
        builder.HasKey(k => new { k.RecordId, k.Field });
        builder.Property(k => k.RecordId).HasMaxLength(32);
        builder.Property(k => k.ObjectName).HasMaxLength(64);
        builder.Property(k => k.Field).HasMaxLength(64);
        builder.Property(k => k.Text).HasMaxLength(200);
        builder.HasIndex(k => new { k.ObjectName, k.Field, k.Text });
        builder.HasIndex(k => new { k.ObjectName, k.Field, k.Number });
        builder.HasOne<RecordEntity>().WithMany().HasForeignKey(k => k.RecordId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecordCommentConfiguration : IEntityTypeConfiguration<RecordCommentEntity>
{
    public void Configure(EntityTypeBuilder<RecordCommentEntity> builder)
    {
        builder.ToTable("RecordComments");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.RecordId).HasMaxLength(32);
        builder.Property(c => c.Author).HasMaxLength(256);
        builder.Property(c => c.Source).HasMaxLength(16);
        builder.Property(c => c.PagerDutyNoteId).HasMaxLength(64);
        builder.HasIndex(c => new { c.RecordId, c.CreatedUtc });
        builder.HasIndex(c => c.PagerDutyNoteId);
        builder.HasOne<RecordEntity>().WithMany().HasForeignKey(c => c.RecordId).OnDelete(DeleteBehavior.Cascade);
    }
}
