using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Persistence;

/// SQLite lets one connection write at a time. Without a queue, every writer that finds the lock taken sleeps in
/// SQLite's busy handler (1, 2, 5, 10, … 100 ms steps) and polls; under load the unlucky ones poll many times while
/// others slip in, which made the intake's and the dispatcher's tails. The gate queues writers of one database file
/// in the process instead (first come, first served) and lets the next one in the moment the previous one commits.
///
/// It is only a queue in front of SQLite's own lock, never a replacement: a writer that has waited `MaxWait` goes
/// ahead without the gate and meets SQLite's busy handler (and `busy_timeout`) exactly as it did before, so a path
/// that nests a second writer inside a first (which SQLite itself would refuse after `busy_timeout`) cannot hang.
public sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> s_gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private long _entries;
    private int _waiting;

    /// How long a writer queues before it goes ahead and lets SQLite's busy handler decide (as `busy_timeout`).
    public static TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(10);

    /// The gate of the database file this connection has open (one per file in the process); none for an in-memory
    /// database, which is private to its connection.
    public static SqliteWriteGate? For(SqliteConnection connection)
    {
        var source = connection.DataSource;
        return string.IsNullOrEmpty(source) || source == ":memory:" ? null : s_gates.GetOrAdd(source, static _ => new SqliteWriteGate());
    }

    /// Writers holding the gate or queued for it (for tests and diagnostics).
    public bool IsFree => _semaphore.CurrentCount == 1;

    /// How many writes have gone through the gate since the process started: background chores (the purges) read
    /// it to tell whether live work is writing and yield to it.
    public long Entries => Interlocked.Read(ref _entries);

    /// Writers queued for the gate now.
    public int Waiting => Volatile.Read(ref _waiting);

    internal bool Enter(TimeSpan wait)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return Counted(_semaphore.Wait(wait));
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    internal async Task<bool> EnterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return Counted(await _semaphore.WaitAsync(wait, cancellationToken));
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private bool Counted(bool entered)
    {
        if (entered) Interlocked.Increment(ref _entries);
        return entered;
    }

    internal void Exit() => _semaphore.Release();
}

/// Takes the connection's `SqliteWriteGate` for every write EF Core sends: from `BEGIN` of a transaction (EF's
/// own for `SaveChanges`, or one begun with `Database.BeginTransaction`) to its commit, rollback or the connection's
/// close, and around a write statement outside any transaction (`ExecuteUpdate`, `ExecuteDelete`, a one-statement
/// `SaveChanges`). Reads outside transactions never take it. What a connection holds is kept per connection
/// object, and released at most once; closing or disposing the connection releases it whatever happened before.
///
/// A write that holds the gate longer than `slowWrite` (250 ms unless told) while other writers queue behind it is
/// reported as a warning in the host's log, with its first statement (its text only: EF Core sends values as
/// parameters). A slow write that kept nobody waiting (seeding at start, say) is not worth a warning.
public sealed class SqliteWriteGateInterceptor(ILogger<SqliteWriteGateInterceptor>? logger = null, TimeSpan? slowWrite = null, TimeProvider? clock = null)
    : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    private readonly TimeSpan _slowWrite = slowWrite ?? TimeSpan.FromMilliseconds(250);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private sealed class Held
    {
        public SqliteWriteGate? Gate;
        public long Since;
        public string? Statement;
    }

    private static readonly ConditionalWeakTable<DbConnection, Held> s_held = [];

    /// Whether this connection holds its gate now (for tests).
    public static bool Holds(DbConnection connection) => s_held.TryGetValue(connection, out var held) && held.Gate is not null;

    private static bool TryHolding(DbConnection connection, out Held held)
    {
        held = s_held.GetOrCreateValue(connection);
        return held.Gate is not null;
    }

    private void Enter(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite || TryHolding(connection, out var held)) return;
        if (SqliteWriteGate.For(sqlite) is { } gate && gate.Enter(SqliteWriteGate.MaxWait)) Holding(held, gate);
    }

    private async ValueTask EnterAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection is not SqliteConnection sqlite || TryHolding(connection, out var held)) return;
        if (SqliteWriteGate.For(sqlite) is { } gate && await gate.EnterAsync(SqliteWriteGate.MaxWait, cancellationToken)) Holding(held, gate);
    }

    private void Holding(Held held, SqliteWriteGate gate)
    {
        held.Gate = gate;
        held.Since = _clock.GetTimestamp();
        held.Statement = null;
    }

    // the first statement of what holds the gate names it in a slow-write warning
    private static void Note(DbCommand command)
    {
        if (command.Connection is { } connection && s_held.TryGetValue(connection, out var held) && held.Gate is not null && held.Statement is null)
            held.Statement = command.CommandText;
    }

    private void Exit(DbConnection? connection)
    {
        if (connection is null || !s_held.TryGetValue(connection, out var held) || held.Gate is not { } gate) return;
        held.Gate = null;
        var waiting = gate.Waiting;
        gate.Exit();
        var took = _clock.GetElapsedTime(held.Since);
        if (took > _slowWrite && waiting > 0 && logger is not null)
        {
            var statement = held.Statement is { } text ? string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) : "(no statement)";
            logger.LogWarning("A database write held the write lock for {Milliseconds:0} ms with {Waiting} queued behind it (the webhook intake's " +
                "writes queue there too). Its first statement: {Statement}", took.TotalMilliseconds, waiting, statement.Length > 200 ? statement[..200] + "…" : statement);
        }
    }

    // ---- transactions: BEGIN … COMMIT / ROLLBACK

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        Enter(connection);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(connection, cancellationToken);
        return result;
    }

    // SQLite's transaction forgets its connection once it has ended; the context still knows it
    private static DbConnection? ConnectionOf(DbTransaction transaction, TransactionEventData eventData) =>
        transaction.Connection ?? eventData.Context?.Database.GetDbConnection();

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Exit(ConnectionOf(transaction, eventData));

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Exit(ConnectionOf(transaction, eventData));
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Exit(ConnectionOf(transaction, eventData));

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Exit(ConnectionOf(transaction, eventData));
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        // a failed savepoint leaves the transaction open and the gate held; a failed commit or rollback ends it
        if (eventData.Action is "Commit" or "Rollback") Exit(ConnectionOf(transaction, eventData));
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    // ---- a write statement outside any transaction (SQLite wraps it in one of its own)

    private static bool IsWriteOutsideTransaction(DbCommand command) =>
        command.Transaction is null && command.Connection is SqliteConnection && IsWrite(command.CommandText);

    /// Whether the command's first statement changes data (EF Core sends INSERT/UPDATE/DELETE first when it does).
    public static bool IsWrite(string? sql)
    {
        if (sql is null) return false;
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (!text.StartsWith("--", StringComparison.Ordinal)) break;
            var end = text.IndexOf('\n');
            if (end < 0) return false;
            text = text[(end + 1)..];
        }
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("WITH", StringComparison.OrdinalIgnoreCase) && IsWrite(WithBody(text));
    }

    // `WITH … AS (…) UPDATE …`: look past the common table expressions (only for statements that start so)
    private static string WithBody(ReadOnlySpan<char> text)
    {
        var depth = 0;
        for (var i = 4; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (depth == 0 && char.IsLetter(text[i]) && (text[i - 1] == ')' || char.IsWhiteSpace(text[i - 1])))
            {
                var rest = text[i..];
                if (rest.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)) return "SELECT";
                if (rest.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
                    || rest.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase))
                    return rest.ToString();
            }
        }
        return "";
    }

    // every statement: a write outside any transaction takes the gate first; whatever holds the gate notes its first statement
    private void Executing(DbCommand command)
    {
        if (IsWriteOutsideTransaction(command)) Enter(command.Connection!);
        Note(command);
    }

    private async ValueTask ExecutingAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (IsWriteOutsideTransaction(command)) await EnterAsync(command.Connection!, cancellationToken);
        Note(command);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Executing(command);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await ExecutingAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Executing(command);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await ExecutingAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Executing(command);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await ExecutingAsync(command, cancellationToken);
        return result;
    }

    // A statement's own transaction ends when the statement finishes: after a non-query or scalar, when the reader
    // (of `… RETURNING`) is closed, or when the command fails.
    private void StatementDone(DbCommand command)
    {
        if (command.Transaction is null) Exit(command.Connection);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        StatementDone(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        StatementDone(command);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        StatementDone(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        StatementDone(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        StatementDone(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        StatementDone(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        StatementDone(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => StatementDone(command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        StatementDone(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => StatementDone(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        StatementDone(command);
        return Task.CompletedTask;
    }

    // ---- whatever happened, a closed connection holds nothing (SQLite rolls back what it had not committed)

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Exit(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Exit(connection);
        return Task.CompletedTask;
    }

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Exit(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Exit(connection);
        return Task.CompletedTask;
    }
}
