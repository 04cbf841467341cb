using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Issue 12 item 4: the Data Protection key ring is encrypted at rest with a certificate.</summary>
public sealed class KeyRingProtectionTests : IAsyncLifetime
{
    private const string PfxPassword = "pfx password for the tests";
    private TestDatabase _database = null!;
    private string _pfxPath = "";

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _pfxPath = Path.Combine(_database.Directory, "dataprotection.pfx");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CredentialPortal Data Protection (tests)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await File.WriteAllBytesAsync(_pfxPath, certificate.Export(X509ContentType.Pfx, PfxPassword));
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_another_instance_with_it_reads_them()
    {
        var withCertificate = new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = _database.ConnectionString,
            ["DataProtection:AllowUnprotectedKeys"] = null,
            ["DataProtection:Certificate:Path"] = _pfxPath,
            ["DataProtection:Certificate:Password"] = PfxPassword,
        };
        string protectedText;
        await using (var first = await PortalFactory.StartAsync(settings: withCertificate))
        {
            protectedText = Protector(first).Protect("made by the first instance");
            await using var db = first.CreateDbContext();
            var stored = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
            Assert.NotEmpty(stored);
            Assert.All(stored, xml =>
            {
                Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
                Assert.Contains("<EncryptedData", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            });
        }

        await using (var second = await PortalFactory.StartAsync(settings: withCertificate))
        {
            Assert.Equal("made by the first instance", Protector(second).Unprotect(protectedText));
        }

        // Without the certificate the same database is of no use: the keys cannot be decrypted.
        await using var withoutCertificate = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = _database.ConnectionString,
        });
        Assert.ThrowsAny<CryptographicException>(() => Protector(withoutCertificate).Unprotect(protectedText));
    }

    [Fact]
    public async Task Outside_development_the_app_refuses_to_start_without_a_certificate()
    {
        await using var app = AppProcess.Start(_database.Directory, new Dictionary<string, string?> { ["DataProtection__AllowUnprotectedKeys"] = null });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        var message = app.StandardError.Trim();
        Assert.StartsWith("Configuration error in DataProtection:Certificate:Path: outside Development the key ring must be protected", message, StringComparison.Ordinal);
        Assert.Contains("DataProtection:Certificate:Thumbprint", message, StringComparison.Ordinal);
        Assert.Contains("DataProtection:AllowUnprotectedKeys=true", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_pfx_password_ends_with_one_line_naming_the_setting()
    {
        await using var app = AppProcess.Start(_database.Directory, new Dictionary<string, string?>
        {
            ["DataProtection__AllowUnprotectedKeys"] = null,
            ["DataProtection__Certificate__Path"] = _pfxPath,
            ["DataProtection__Certificate__Password"] = "not the password",
        });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("Configuration error in DataProtection:Certificate:Path: cannot read the PFX file", app.StandardError.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unprotected_keys_allowed_explicitly_start_with_one_warning()
    {
        await using var app = AppProcess.Start(_database.Directory, new Dictionary<string, string?> { ["DataProtection__AllowUnprotectedKeys"] = "true" });

        await app.WaitForOutputAsync("sign in at:", TestContext.Current.CancellationToken);
        // Log lines reach the console through a background writer in their order: once the host's last start-up line
        // is out, so is every warning of the start.
        await app.WaitForOutputAsync("Now listening on:", TestContext.Current.CancellationToken);

        var warnings = app.StandardOutput.Split('\n').Count(line => line.Contains("DataProtection:AllowUnprotectedKeys is true", StringComparison.Ordinal));
        Assert.Equal(1, warnings);
    }

    private static IDataProtector Protector(PortalFactory portal) =>
        portal.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("KeyRingProtectionTests");
}
