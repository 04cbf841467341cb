using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CredentialPortal.Core.DataProtection;

/// <summary>
/// Encrypts the key ring at rest with an X.509 certificate (configuration section <c>DataProtection</c>), so that a
/// copy of the database alone does not yield the keys that protect signing keys, cookies and links. The certificate
/// comes from a PFX file (<c>Certificate:Path</c> + <c>Certificate:Password</c>) or from the certificate store by
/// thumbprint (<c>Certificate:Thumbprint</c>; CurrentUser/My, then LocalMachine/My). Keys written under a retired
/// certificate stay readable while it is listed under <c>PreviousCertificates</c>. Outside Development a missing
/// certificate stops the start unless <c>AllowUnprotectedKeys</c> is true, which logs a warning.
/// </summary>
public static partial class KeyRingProtection
{
    public const string SectionName = "DataProtection";

    public static IDataProtectionBuilder ProtectKeyRing(this IDataProtectionBuilder dataProtection, IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(builder);
        try
        {
            return Protect(dataProtection, builder);
        }
        catch (ConfigurationException problem)
        {
            ConfigurationProblem.ReportAtStart(builder.Services, problem);
            return dataProtection;
        }
    }

    private static IDataProtectionBuilder Protect(IDataProtectionBuilder dataProtection, IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var current = Load(section.GetSection("Certificate"), $"{SectionName}:Certificate");
        var previous = section.GetSection("PreviousCertificates").GetChildren()
            .Select(child => Load(child, $"{SectionName}:PreviousCertificates:{child.Key}")
                ?? throw new ConfigurationException($"{SectionName}:PreviousCertificates:{child.Key}", "set Path (and Password) or Thumbprint."))
            .ToList();
        if (current is not null)
        {
            // Decryption uses these certificates directly, not only the machine's store: a PFX mounted into a
            // container is never in a store.
            return dataProtection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
        }

        if (builder.Environment.IsDevelopment())
        {
            return dataProtection;
        }

        if (!AllowsUnprotectedKeys(section))
        {
            throw new ConfigurationException($"{SectionName}:Certificate:Path",
                $"outside Development the key ring must be protected: set {SectionName}:Certificate:Path and {SectionName}:Certificate:Password " +
                $"(a PFX file) or {SectionName}:Certificate:Thumbprint (a certificate in the store), or set {SectionName}:AllowUnprotectedKeys=true " +
                "to store the keys unencrypted in the database.");
        }

        builder.Services.AddHostedService<UnprotectedKeyRingWarning>();
        return dataProtection;
    }

    private static bool AllowsUnprotectedKeys(IConfigurationSection section) => section["AllowUnprotectedKeys"] switch
    {
        null or "" => false,
        var text when bool.TryParse(text, out var allowed) => allowed,
        var text => throw new ConfigurationException($"{SectionName}:AllowUnprotectedKeys", $"'{text}' is not true or false."),
    };

    private static X509Certificate2? Load(IConfigurationSection section, string setting)
    {
        var path = section["Path"];
        var thumbprint = section["Thumbprint"];
        if (!string.IsNullOrWhiteSpace(path) && !string.IsNullOrWhiteSpace(thumbprint))
        {
            throw new ConfigurationException(setting, "set either Path or Thumbprint, not both.");
        }

        var certificate = !string.IsNullOrWhiteSpace(path) ? FromFile(path, section["Password"], $"{setting}:Path")
            : !string.IsNullOrWhiteSpace(thumbprint) ? FromStore(thumbprint, $"{setting}:Thumbprint")
            : null;
        if (certificate is { HasPrivateKey: false })
        {
            throw new ConfigurationException(setting, $"the certificate {certificate.Thumbprint} has no private key, so the key ring could not be read back.");
        }

        return certificate;
    }

    private static X509Certificate2 FromFile(string path, string? password, string setting)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(setting, $"cannot read the PFX file '{path}' ({ex.Message}); check the path and DataProtection:Certificate:Password.", ex);
        }
    }

    private static X509Certificate2 FromStore(string thumbprint, string setting)
    {
        var wanted = thumbprint.Replace(" ", "", StringComparison.Ordinal);
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                continue; // This store does not exist on this machine.
            }

            var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            if (found.Count > 0)
            {
                return found[0];
            }
        }

        throw new ConfigurationException(setting, $"no certificate with thumbprint {wanted} in CurrentUser/My or LocalMachine/My.");
    }

    /// <summary>Says once, at start-up, that the operator chose to keep the key ring unencrypted.</summary>
    private sealed partial class UnprotectedKeyRingWarning(ILogger<UnprotectedKeyRingWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogUnprotected(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "DataProtection:AllowUnprotectedKeys is true: the Data Protection key ring is stored unencrypted in the database. Set DataProtection:Certificate to protect it.")]
        private static partial void LogUnprotected(ILogger logger);
    }
}
