using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Records;

/// A few realistic cases and incidents on a brand-new database, so that a new user sees a working portal.
/// Skipped when any record exists; off with `Portal:SeedSampleData=false`. Instances starting together on one
/// PostgreSQL database seed one at a time (a session lock), so the second finds the first's records and adds none.
public sealed class SampleData(IDbContextFactory<PortalDbContext> dbFactory, RecordStore records, IConfiguration configuration)
{
    private static readonly string[] s_cases =
    [
        """{"Subject":"Checkout page returns 502 for EU customers","Description":"Several EU customers report errors at payment since 09:40 UTC.","Status":"New","Priority":"High","Origin":"Phone","Type":"Problem","Reason":"Outage","ContactEmail":"ops@northwind.example"}""",
        """{"Subject":"Password reset e-mails arrive late","Description":"Reset links take 20+ minutes to arrive.","Status":"Working","Priority":"Medium","Origin":"Email","Type":"Problem","Reason":"Performance","ContactEmail":"it@contoso.example"}""",
        """{"Subject":"Invoice PDF shows the wrong VAT number","Description":"The March invoice lists last year's VAT number.","Status":"New","Priority":"Low","Origin":"Web","Type":"Question","Reason":"Billing","ContactEmail":"finance@fabrikam.example"}""",
        """{"Subject":"API rate limits hit during nightly sync","Description":"Sync job fails with 429 between 01:00 and 02:00.","Status":"Escalated","Priority":"High","Origin":"Web","Type":"Problem","Reason":"Integration","ContactEmail":"dev@adventure-works.example"}""",
    ];

    private static readonly string[] s_incidents =
    [
        """{"Subject":"Payment gateway latency above SLO","Description":"p99 latency 4.2 s against a 1 s objective.","Status":"New","Priority":"1 - Critical","Impact":"High","Urgency":"High","Category":"Network"}""",
        """{"Subject":"Mail relay queue growing","Description":"Outbound queue above 10,000 messages.","Status":"In Progress","Priority":"3 - Moderate","Impact":"Medium","Urgency":"Medium","Category":"Software"}""",
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        if (!configuration.GetValue("Portal:SeedSampleData", true)) return;
        PostgresSessionLock? seeding = null;
        try
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                if (db.Database.IsNpgsql())
                    seeding = await PostgresSessionLock.TakeAsync(db.Database.GetConnectionString()!, "Portal sample data", "Portal seeding", cancellationToken);
                if (await db.Records.AnyAsync(cancellationToken)) return;
            }
            await AddAsync(cancellationToken);
        }
        finally
        {
            if (seeding is not null) await seeding.DisposeAsync();
        }
    }

    private async Task AddAsync(CancellationToken cancellationToken)
    {
        var actor = new ChangeActor("sample data");
        foreach (var json in s_cases) await records.CreateAsync("Case", JsonDocument.Parse(json).RootElement, actor, cancellationToken);
        foreach (var json in s_incidents) await records.CreateAsync("Incident", JsonDocument.Parse(json).RootElement, actor, cancellationToken);
    }
}
