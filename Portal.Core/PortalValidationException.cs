namespace Portal.Core;

/// Bad input from a person or a caller: each message says what is wrong, keyed by the field it is about.
/// Nothing has been written when this is thrown.
public sealed class PortalValidationException : Exception
{
    public PortalValidationException(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public PortalValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value)))
    {
        if (errors.Count == 0) throw new ArgumentException("A validation failure needs at least one error.", nameof(errors));
        Errors = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public string Field => Errors.Keys.First();
}

/// Something named in a request does not exist (an object type, a record): a 404 for the API.
public sealed class PortalNotFoundException(string message) : Exception(message);

/// The caller may not do this, as the database has the caller now (whatever the page or the principal it holds says):
/// a 403 for the API, a message on a page. Nothing has been written when this is thrown.
public sealed class PortalForbiddenException(string message) : Exception(message);

/// What is asked conflicts with what is stored (a field that records still use, an object type a rule refers to): a
/// 409 for the API, a message beside `Field` on a page. Nothing has been written when this is thrown.
public sealed class PortalConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
