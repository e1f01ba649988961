namespace Portal.Core;

/// Bad input from a person or a caller: the message says what is wrong, and `Field` names where.
public sealed class PortalValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
