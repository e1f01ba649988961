using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Webhooks;

public enum StoreOutcome { Stored, Duplicate, Failed }

/// Group commit for the intake: deliveries that arrive together are stored in one transaction (up to 256), and each
/// request is answered once its row is durably committed. One commit per request caps intake at the disk's commit
/// rate; sharing commits lets intake stay durable and fast at once.
public sealed partial class WebhookBatchWriter(IDbContextFactory<PortalDbContext> dbFactory, ILogger<WebhookBatchWriter> logger,
    DatabaseFileIdentity? file = null)
{
    private const int MaxBatch = 256;
    private readonly Channel<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)> _queue =
        Channel.CreateUnbounded<(WebhookEventEntity, TaskCompletionSource<StoreOutcome>)>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    public Task<StoreOutcome> StoreAsync(WebhookEventEntity row, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) _ = Task.Run(RunAsync, CancellationToken.None);
        var done = new TaskCompletionSource<StoreOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite((row, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                // two instances storing one event delivered to both can each wait for the other's row (PostgreSQL
                // ends one of them as a deadlock): that batch is stored again, and finds the other's rows stored
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await CommitAsync(batch);
                        break;
                    }
                    catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 3) { }
                }
            }
            catch (Exception e)
            {
                // each request is answered 503 and PagerDuty delivers it again; the cause is for the host's log
                LogStoreFailed(e, batch.Count);
                foreach (var (_, done) in batch) done.TrySetResult(StoreOutcome.Failed);
            }
        }
    }

    /// One transaction for the batch; each row is one prepared `INSERT … ON CONFLICT DO NOTHING`, so that the unique
    /// event id and `X-Webhook-Id` indexes tell a repeated delivery (including a repeat inside the batch) without a
    /// query first. Plain ADO.NET on the context's connection: a commit of a few rows is mostly per-commit overhead,
    /// and EF Core's change tracking and its duplicate query cost more CPU than the rows themselves. EF Core still
    /// begins and commits the transaction, so the write gate and `busy_timeout` apply as to every writer.
    private async Task CommitAsync(List<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)> batch)
    {
        // a deleted or replaced file would take the commit with it: refuse (503, delivered again) rather than lose it
        if (file?.Problem() is { } problem) throw new InvalidOperationException(problem);
        await using var db = await dbFactory.CreateDbContextAsync();
        var postgres = db.Database.IsNpgsql();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await using var insert = db.Database.GetDbConnection().CreateCommand();
        insert.Transaction = transaction.GetDbTransaction();
        insert.CommandText = """
            INSERT INTO "WebhookEvents" ("EventId", "WebhookId", "EventType", "IncidentId", "Body", "ReceivedUtc", "OccurredUtc", "State")
            VALUES (@eventId, @webhookId, @eventType, @incidentId, @body, @receivedUtc, @occurredUtc, @state)
            ON CONFLICT DO NOTHING
            """;
        var parameters = new[] { "@eventId", "@webhookId", "@eventType", "@incidentId", "@body", "@receivedUtc", "@occurredUtc", "@state" }.Select(name =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        var outcomes = new List<(TaskCompletionSource<StoreOutcome> Done, StoreOutcome Outcome)>(batch.Count);
        foreach (var (row, done) in batch)
        {
            parameters[0].Value = row.EventId;
            parameters[1].Value = (object?)row.WebhookId ?? DBNull.Value;
            parameters[2].Value = row.EventType;
            parameters[3].Value = (object?)row.IncidentId ?? DBNull.Value;
            parameters[4].Value = row.Body;
            parameters[5].Value = Time(row.ReceivedUtc, postgres);
            parameters[6].Value = row.OccurredUtc is { } occurred ? Time(occurred, postgres) : DBNull.Value;
            parameters[7].Value = row.State;
            outcomes.Add((done, await insert.ExecuteNonQueryAsync() == 1 ? StoreOutcome.Stored : StoreOutcome.Duplicate));
        }
        await transaction.CommitAsync();
        foreach (var (done, outcome) in outcomes) done.TrySetResult(outcome);
    }

    // SQLite: the text EF Core writes for a UTC DateTime, so that queries over the column compare alike
    private static object Time(DateTime utc, bool postgres) =>
        postgres ? utc.ToUniversalTime() : utc.ToUniversalTime().ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} webhook deliveries failed; each was answered 503 for PagerDuty to deliver again")]
    private partial void LogStoreFailed(Exception error, int count);
}
