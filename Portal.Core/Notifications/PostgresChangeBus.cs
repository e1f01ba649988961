using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Core.Records;

namespace Portal.Core.Notifications;

/// The change bus between instances on one PostgreSQL database: what this instance's `ChangeNotifier` publishes (after
/// the commit) goes out as `NOTIFY portal_changes, '{"from":"<instance>","changes":[...]}'` (`ChangeWire`, batched,
/// each payload under PostgreSQL's 8000 bytes), and what the other instances send is published here again, so that
/// caches reload at once and live pages refresh. A dedicated connection listens and is opened again after a failure.
/// It is for speed only: a lost message delays a page, never a decision, because events check `ConfigGenerations`.
public sealed partial class PostgresChangeBus : BackgroundService
{
    public const string Channel = "portal_changes";
    /// PostgreSQL refuses a payload of 8000 bytes or more; the envelope fits beside this.
    public const int MaxPayloadBytes = 7000;

    private readonly string _connectionString;
    private readonly ChangeNotifier _notifier;
    private readonly ConfigGenerations _generations;
    private readonly ObjectCatalog _catalog;
    private readonly string _instance;
    private readonly TimeProvider _clock;
    private readonly ILogger<PostgresChangeBus> _logger;
    private readonly Channel<IChange> _outgoing = System.Threading.Channels.Channel.CreateBounded<IChange>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Channel<string> _incoming = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public PostgresChangeBus(string connectionString, ChangeNotifier notifier, ConfigGenerations generations, ObjectCatalog catalog, PortalInstance instance,
        TimeProvider clock, ILogger<PostgresChangeBus> logger)
    {
        (_connectionString, _notifier, _generations, _catalog, _instance, _clock, _logger) =
            (connectionString, notifier, generations, catalog, instance.Id, clock, logger);
        notifier.Outbound = change =>
        {
            if (ChangeWire.Write(change) is not null) _outgoing.Writer.TryWrite(change);
        };
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(SendLoopAsync(stoppingToken), ListenLoopAsync(stoppingToken), ReceiveLoopAsync(stoppingToken));

    /// The NOTIFY payloads for a batch of changes: the same change once, as many payloads as the size limit needs.
    public static IReadOnlyList<string> Payloads(string instance, IEnumerable<IChange> changes)
    {
        var payloads = new List<string>();
        var batch = new JsonArray();
        var size = 0;
        foreach (var wire in changes.Select(ChangeWire.Write).OfType<JsonObject>().DistinctBy(w => w.ToJsonString()))
        {
            var bytes = Encoding.UTF8.GetByteCount(wire.ToJsonString());
            if (batch.Count > 0 && size + bytes > MaxPayloadBytes)
            {
                payloads.Add(Envelope(instance, batch));
                batch = [];
                size = 0;
            }
            batch.Add(wire);
            size += bytes + 1;
        }
        if (batch.Count > 0) payloads.Add(Envelope(instance, batch));
        return payloads;
    }

    private static string Envelope(string instance, JsonArray changes) => new JsonObject { ["from"] = instance, ["changes"] = changes }.ToJsonString();

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        await using var source = NpgsqlDataSource.Create(_connectionString);
        while (!stoppingToken.IsCancellationRequested)
        {
            List<IChange> batch = [];
            try
            {
                if (!await _outgoing.Reader.WaitToReadAsync(stoppingToken)) return;
                while (batch.Count < 500 && _outgoing.Reader.TryRead(out var change)) batch.Add(change);
                await using var connection = await source.OpenConnectionAsync(stoppingToken);
                foreach (var payload in Payloads(_instance, batch))
                {
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", payload);
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // the other instances learn of configuration at their next event anyway; their pages refresh later
                LogSendFailed(e, batch.Count);
                await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ListenLoopAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // its own session, never pooled: it holds LISTEN for as long as it is open
                var listen = new NpgsqlConnectionStringBuilder(_connectionString)
                {
                    Pooling = false, Enlist = false, KeepAlive = 15, ApplicationName = ListenerName(_instance),
                };
                await using var connection = new NpgsqlConnection(listen.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => _incoming.Writer.TryWrite(e.Payload);
                await using (var command = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await command.ExecuteNonQueryAsync(stoppingToken);
                if (lost)
                {
                    LogListeningAgain();
                    // what was sent while this instance was not listening: the configuration is read again now
                    _incoming.Writer.TryWrite(ReloadHint);
                }
                lost = false;
                delay = TimeSpan.FromSeconds(1);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                lost = true;
                LogListenFailed(e, delay.TotalSeconds);
                await DelayAsync(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }

    private const string ReloadHint = "";

    /// The listening session's `application_name` (in `pg_stat_activity`): which instance it is.
    public static string ListenerName(string instance) => $"Portal change bus {instance}"[..Math.Min(63, 18 + instance.Length)];

    private async Task ReceiveLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var payload in _incoming.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ReceiveAsync(payload, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogReceiveFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReceiveAsync(string payload, CancellationToken cancellationToken)
    {
        if (payload == ReloadHint)
        {
            await _generations.EnsureCurrentAsync(cancellationToken);
            return;
        }
        if (JsonNode.Parse(payload) is not JsonObject message || message["from"]?.GetValue<string>() == _instance) return;
        var wires = (message["changes"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        // the caches first (they announce what differs), then the rest, which may read them
        if (wires.Any(ChangeWire.IsConfiguration))
            await _generations.EnsureCurrentAsync(cancellationToken);
        var catalog = await _catalog.GetAsync(cancellationToken);
        foreach (var wire in wires)
        {
            if (ChangeWire.Read(wire, catalog) is { } change && !ChangeWire.IsConfiguration(change)) _notifier.PublishReceived(change);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _clock, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The change bus could not send {Count} changes to the other instances; their pages refresh later")]
    private partial void LogSendFailed(Exception error, int count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The change bus lost its connection to PostgreSQL; listening again in {DelaySeconds} s (configuration is still checked at each event)")]
    private partial void LogListenFailed(Exception error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The change bus is listening again")]
    private partial void LogListeningAgain();

    [LoggerMessage(Level = LogLevel.Error, Message = "The change bus could not take in a message from another instance")]
    private partial void LogReceiveFailed(Exception error);
}
