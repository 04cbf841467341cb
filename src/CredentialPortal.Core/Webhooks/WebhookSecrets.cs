using Microsoft.AspNetCore.DataProtection;

namespace CredentialPortal.Core.Webhooks;

/// <summary>Endpoint signing secrets at rest: protected with ASP.NET Core Data Protection, like the token-signing keys.</summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("CredentialPortal.Webhooks.SigningSecrets");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
