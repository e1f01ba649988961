using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Tests.Infrastructure;

/// A context factory whose database is gone: every context it is asked for fails, as a lost disk would.
public sealed class UnreachableDatabase : IDbContextFactory<PortalDbContext>
{
    public const string Error = "the database is gone";

    public PortalDbContext CreateDbContext() => throw new InvalidOperationException(Error);
}
