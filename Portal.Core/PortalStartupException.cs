namespace Portal.Core;

/// Portal cannot start as configured, for a reason its message states in full (another process owns the database
/// file, say). The host prints the message alone and exits with 1: a stack trace would only hide it.
public sealed class PortalStartupException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
