namespace Portal.Core.Rules;

public sealed class RulesSnapshotHolder(RulesSnapshot initial)
{
    private RulesSnapshot _current = initial;

    public RulesSnapshotHolder()
        : this(RulesSnapshot.Empty)
    {
    }

    public RulesSnapshot Current => Volatile.Read(ref _current);

    // A slow compile of an older version must not replace a newer snapshot that was published first.
    public bool Publish(RulesSnapshot next)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (next.Version < current.Version)
            {
                return false;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, current), current))
            {
                return true;
            }
        }
    }
}
