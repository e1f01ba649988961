using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Portal.Core;
using Portal.Core.Persistence;

namespace Portal.Security;

/// Where the Data Protection key ring lives and what protects it. The ring encrypts the stored PagerDuty API key and
/// signs the sign-in cookies, so a ring stored unencrypted beside the secrets it protects protects nothing against a
/// copy of the database. Settings:
/// - `DataProtection:CertificatePath` (a PKCS#12 file, with `DataProtection:CertificatePassword`): every key is
///   encrypted with the certificate; the database alone, or a backup of it, then decrypts nothing.
/// - `DataProtection:KeysFolder`: the ring is kept in that folder, outside the database (and encrypted too when a
///   certificate is given).
/// Neither: the ring is in the database, unencrypted, and the start says so in the log.
public static partial class KeyRingProtection
{
    public const string Section = "DataProtection";

    public static IDataProtectionBuilder UsePortalKeyRing(this IDataProtectionBuilder dataProtection, IConfiguration configuration)
    {
        var folder = configuration[$"{Section}:KeysFolder"];
        if (string.IsNullOrWhiteSpace(folder)) dataProtection.PersistKeysToDbContext<PortalDbContext>();
        else dataProtection.PersistKeysToFileSystem(Directory.CreateDirectory(folder));
        if (Certificate(configuration) is { } certificate) dataProtection.ProtectKeysWithCertificate(certificate);
        return dataProtection;
    }

    /// Says at start where the ring is and what protects it: a Warning while nothing does.
    public static void LogKeyRing(this ILogger logger, IConfiguration configuration)
    {
        var protectedBy = configuration[$"{Section}:CertificatePath"];
        if (string.IsNullOrWhiteSpace(protectedBy)) LogUnprotected(logger, Describe(configuration));
        else LogProtected(logger, Describe(configuration));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Description}")]
    private static partial void LogUnprotected(ILogger logger, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Description}")]
    private static partial void LogProtected(ILogger logger, string description);

    /// What protects the ring, in words.
    public static string Describe(IConfiguration configuration)
    {
        var folder = configuration[$"{Section}:KeysFolder"];
        var where = string.IsNullOrWhiteSpace(folder) ? "in the database" : $"in {Path.GetFullPath(folder)}";
        return string.IsNullOrWhiteSpace(configuration[$"{Section}:CertificatePath"])
            ? $"The Data Protection key ring is kept {where}, unencrypted: whoever has a copy of it can decrypt the stored PagerDuty API key. Set DataProtection:CertificatePath (and DataProtection:KeysFolder) to protect it."
            : $"The Data Protection key ring is kept {where}, encrypted with the certificate in {configuration[$"{Section}:CertificatePath"]}.";
    }

    private static X509Certificate2? Certificate(IConfiguration configuration)
    {
        var path = configuration[$"{Section}:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path)) return null;
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[$"{Section}:CertificatePassword"]);
            if (!certificate.HasPrivateKey) throw new PortalStartupException($"DataProtection:CertificatePath {path} has no private key: the key ring could not be read back.");
            return certificate;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new PortalStartupException($"DataProtection:CertificatePath {path} could not be loaded ({e.Message}); check the file and DataProtection:CertificatePassword.", e);
        }
    }
}
