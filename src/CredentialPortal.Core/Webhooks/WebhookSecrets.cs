using Microsoft.AspNetCore.DataProtection;

namespace CredentialPortal.Core.Webhooks;

/// <summary>Endpoint signing secrets at rest: protected with ASP.NET Core Data Protection, like the token-signing keys.</summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("CredentialPortal.Webhooks.SigningSecrets");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The secrets a delivery at <paramref name="now"/> is signed with: the current one, and the previous one during a rotation's overlap.</summary>
    public IReadOnlyList<string> SigningSecretsOf(WebhookEndpoint endpoint, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint is { PreviousProtectedSecret: { } previous, PreviousSecretExpiresAt: { } until } && now < until
            ? [Unprotect(endpoint.ProtectedSecret), Unprotect(previous)]
            : [Unprotect(endpoint.ProtectedSecret)];
    }
}
