using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// Configuration section <c>TokenService:Federation</c>: which external issuers partners may federate with, and how their
/// keys are fetched. Read by Core (adding a federated identity needs the trusted issuers) and by the token service.
/// </summary>
public sealed class FederationOptions : IValidatableObject
{
    public const string SectionName = "TokenService:Federation";

    /// <summary>Issuer identifiers (URLs) partners may federate with; administrators add more on the portal.</summary>
    public List<string> TrustedIssuers { get; } = [];

    /// <summary>Plain-HTTP issuers, for closed test networks; always allowed in Development.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Whether issuers' metadata and keys may be fetched from loopback, link-local and private addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one fetch of an issuer's metadata or keys may take.</summary>
    [Range(1, 60)]
    public int FetchTimeoutSeconds { get; set; } = 10;

    /// <summary>The largest metadata or JWKS document read, in bytes.</summary>
    [Range(4_096, 1_048_576)]
    public int MaxDocumentBytes { get; set; } = 256 * 1024;

    /// <summary>How long fetched keys are used before they are fetched again (while the issuer answers).</summary>
    [Range(60, 86_400)]
    public int KeyCacheSeconds { get; set; } = 3600;

    /// <summary>The least time between two fetches for one issuer, e.g. when tokens name an unknown kid.</summary>
    [Range(1, 3600)]
    public int MinRefreshSeconds { get; set; } = 60;

    /// <summary>The longest an external token may live (<c>exp − iat</c>, or <c>exp</c> − now without <c>iat</c>).</summary>
    [Range(60, 86_400)]
    public int MaxTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>
    /// Whether each external token is accepted once only (per <c>jti</c>). Off by default: platforms hand workloads one token
    /// to reuse until it expires (a Kubernetes projected token is read from a file for every request).
    /// </summary>
    public bool SingleUse { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var issuer in TrustedIssuers)
        {
            if (TrustedIssuerRules.Normalize(issuer) is null)
            {
                yield return new ValidationResult($"TokenService:Federation:TrustedIssuers: \"{issuer}\" is not an absolute http(s) URL without query or fragment.");
            }
        }
    }
}

[OptionsValidator]
internal sealed partial class FederationOptionsValidator : IValidateOptions<FederationOptions>;
