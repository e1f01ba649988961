using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Security;

/// A secret Portal keeps encrypted with Data Protection (the PagerDuty API key, a webhook signing secret). When the
/// keys that encrypted it are gone it cannot be read and must be entered again; that is said once in the host's log
/// (per stored value), never silently.
public sealed partial class StoredSecret(IDataProtector protector, ILogger logger, string what)
{
    private volatile string? _unreadable;

    public string Protect(string secret) => protector.Protect(secret);

    public string? Unprotect(string? encrypted)
    {
        if (encrypted is null) return null;
        try
        {
            return protector.Unprotect(encrypted);
        }
        catch (CryptographicException e)
        {
            if (_unreadable != encrypted)
            {
                _unreadable = encrypted;
                LogUnreadable(e, what);
            }
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The stored {What} cannot be decrypted (the Data Protection keys that encrypted it are gone); enter it again")]
    private partial void LogUnreadable(Exception error, string what);
}
