using System.Collections.Immutable;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Notifications;

/// The one way Portal tells its loops and live pages what changed. Stored changes are fed by
/// `ChangeNotifierInterceptor` after their commit (rows it recognises, and what a store enlisted with `AfterCommit`);
/// `Publish` is for what is already committed or never stored. A subscriber's failure is logged and never reaches the
/// code that stored the change, nor the other subscribers. This is the seam a bus between instances plugs into: what
/// is published here goes to `Outbound` too, and what the bus hears from other instances comes back in through
/// `PublishReceived`, to every subscriber except those that asked for this instance's own changes (`SubscribeOwn`).
public sealed partial class ChangeNotifier(ILogger<ChangeNotifier> logger)
{
    private ImmutableDictionary<Type, ImmutableArray<Subscription>> _subscriptions = ImmutableDictionary<Type, ImmutableArray<Subscription>>.Empty;
    private ChangeNotifierInterceptor? _interceptor;
    private volatile Action<IChange>? _outbound;

    /// The interceptor that feeds this notifier (created with it, added to every Portal database context).
    public ChangeNotifierInterceptor Interceptor => _interceptor ??= new ChangeNotifierInterceptor(this);

    /// Calls `handler` for each change of type `T` until the returned subscription is disposed.
    public IDisposable Subscribe<T>(Action<T> handler) where T : IChange => Add<T>(handler, ownOnly: false);

    /// Calls `handler` for each change of type `T` that this instance made, not for those heard from other instances
    /// (for what only the instance that did the work should do, such as logging its outcome).
    public IDisposable SubscribeOwn<T>(Action<T> handler) where T : IChange => Add<T>(handler, ownOnly: true);

    /// Where this instance's changes go besides its own subscribers (the change bus); null for none.
    public Action<IChange>? Outbound
    {
        get => _outbound;
        set => _outbound = value;
    }

    private Subscription Add<T>(Action<T> handler, bool ownOnly) where T : IChange
    {
        var subscription = new Subscription(this, typeof(T), change => handler((T)change), ownOnly);
        ImmutableInterlocked.AddOrUpdate(ref _subscriptions, typeof(T), [subscription], (_, list) => list.Add(subscription));
        return subscription;
    }

    /// A set of subscriptions that ends together (a page's).
    public ChangeSubscriptions Subscriptions() => new(this);

    /// Tells subscribers now: for a change that is committed already or is not stored.
    public void Publish(IChange change)
    {
        Deliver(change, received: false);
        if (_outbound is { } outbound)
        {
            try
            {
                outbound(change);
            }
            catch (Exception e)
            {
                LogSubscriberFailed(e, change.GetType().Name);
            }
        }
    }

    /// Tells the subscribers of this instance about a change another instance made (the change bus calls it).
    public void PublishReceived(IChange change) => Deliver(change, received: true);

    private void Deliver(IChange change, bool received)
    {
        if (!_subscriptions.TryGetValue(change.GetType(), out var subscribers)) return;
        foreach (var subscriber in subscribers)
        {
            if (received && subscriber.OwnOnly) continue;
            try
            {
                subscriber.Handler(change);
            }
            catch (Exception e)
            {
                LogSubscriberFailed(e, change.GetType().Name);
            }
        }
    }

    /// Tells subscribers once `db`'s next save (without a transaction) or its transaction commits; never when it rolls
    /// back. Call it before that commit, from inside the unit of work that stores the change.
    public void AfterCommit(DbContext db, IChange change)
    {
        var interceptors = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        if (interceptors is null || !interceptors.Contains(Interceptor))
            throw new InvalidOperationException("This database context was made without the ChangeNotifierInterceptor, so its commit would tell no one.");
        Interceptor.Enlist(db, change);
    }

    /// How many subscriptions to `T` are live (tests: a page that is left or re-rendered leaves none behind).
    internal int SubscriberCount<T>() where T : IChange => _subscriptions.TryGetValue(typeof(T), out var list) ? list.Length : 0;

    private void Unsubscribe(Subscription subscription) =>
        ImmutableInterlocked.Update(ref _subscriptions, all => all.TryGetValue(subscription.Type, out var list)
            ? list.Remove(subscription) is { IsEmpty: true } ? all.Remove(subscription.Type) : all.SetItem(subscription.Type, list.Remove(subscription))
            : all);

    private sealed class Subscription(ChangeNotifier owner, Type type, Action<IChange> handler, bool ownOnly) : IDisposable
    {
        private int _disposed;
        public Type Type => type;
        public bool OwnOnly => ownOnly;
        public Action<IChange> Handler => handler;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber to {Change} failed")]
    private partial void LogSubscriberFailed(Exception exception, string change);
}

/// Disposable subscriptions of one component or service: `Dispose` ends them all, so that a page that is left (or
/// re-subscribes when its parameters change) leaves no handler behind.
public sealed class ChangeSubscriptions(ChangeNotifier notifier) : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];

    public ChangeSubscriptions On<T>(Action<T> handler) where T : IChange
    {
        lock (_subscriptions) _subscriptions.Add(notifier.Subscribe(handler));
        return this;
    }

    public void Dispose()
    {
        IDisposable[] ended;
        lock (_subscriptions)
        {
            ended = [.. _subscriptions];
            _subscriptions.Clear();
        }
        foreach (var subscription in ended) subscription.Dispose();
    }
}
