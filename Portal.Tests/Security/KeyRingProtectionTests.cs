using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// The Data Protection key ring (it encrypts the stored PagerDuty API key and signs cookies) is protected by what the
/// settings give, so that the database alone decrypts nothing.
public sealed class KeyRingProtectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-keyring-tests.").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private string SelfSignedCertificate(string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Portal key ring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, "keyring.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    private static async Task<List<string>> StoredKeysAsync(PortalAppFactory factory)
    {
        using (var client = factory.CreateClientAs(null)) (await client.GetAsync("/login")).Dispose(); // its antiforgery token makes the first key
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
    }

    [Fact]
    public async Task WithACertificateTheKeysInTheDatabaseAreEncrypted()
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = SelfSignedCertificate("pfx-password"),
            ["DataProtection:CertificatePassword"] = "pfx-password",
        });

        var keys = await StoredKeysAsync(factory);

        var key = Assert.Single(keys);
        Assert.Contains("EncryptedData", key);
        Assert.DoesNotContain("<value>", key, StringComparison.Ordinal); // the master key's plain value is nowhere
    }

    [Fact]
    public async Task WithoutSettingsTheKeysAreInTheDatabaseUnencryptedAsTheStartWarns()
    {
        using var factory = new PortalAppFactory();
        var key = Assert.Single(await StoredKeysAsync(factory));
        Assert.Contains("<value>", key, StringComparison.Ordinal); // what the warning at start is about
    }

    [Fact]
    public async Task AKeysFolderKeepsTheRingOutOfTheDatabase()
    {
        var folder = Path.Combine(_folder, "keys");
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["DataProtection:KeysFolder"] = folder });

        Assert.Empty(await StoredKeysAsync(factory));
        Assert.Single(Directory.GetFiles(folder, "key-*.xml"));
    }

    [Fact]
    public void ACertificateThatCannotBeLoadedStopsTheStartNamingIt()
    {
        var path = Path.Combine(_folder, "missing.pfx");
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = path });

        var refused = Assert.IsType<PortalStartupException>(Assert.ThrowsAny<Exception>(() => factory.CreateClient()));
        Assert.Contains($"DataProtection:CertificatePath {path} could not be loaded", refused.Message);
    }
}
