using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Records;

/// Hands out the next number of a named sequence (a numbered field of records, the sandbox's incidents), so that two
/// callers, on one instance or several, never get one number.
public static class NumberSequences
{
    /// `first` is the number given when the sequence has no row yet; an added row is saved by the caller's unit of work
    /// on SQLite.
    public static async Task<long> TakeAsync(PortalDbContext db, string name, long first, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // one statement: two first takes of a sequence (on one instance or two) never collide on the new row
            var taken = await db.Database.SqlQuery<long>($"""
                INSERT INTO "NumberSequences" ("ObjectName", "Next") VALUES ({name}, {first + 1})
                ON CONFLICT ("ObjectName") DO UPDATE SET "Next" = "NumberSequences"."Next" + 1
                RETURNING "Next" - 1 AS "Value"
                """).ToListAsync(cancellationToken);
            return taken.Single();
        }
        // An update first, so that the transaction takes the write lock before it reads: two takes never get one number.
        var updated = await db.NumberSequences.Where(s => s.ObjectName == name)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Next, n => n.Next + 1), cancellationToken);
        if (updated == 0)
        {
            db.NumberSequences.Add(new NumberSequenceEntity { ObjectName = name, Next = first + 1 });
            return first;
        }
        var next = await db.NumberSequences.AsNoTracking().Where(s => s.ObjectName == name).Select(s => s.Next).SingleAsync(cancellationToken);
        return next - 1;
    }
}
