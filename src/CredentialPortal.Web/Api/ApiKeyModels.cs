using System.ComponentModel;
using System.Text.Json;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Web.Api;

/// <summary>A public key of an application (private_key_jwt). Only public material: there is nothing secret about it.</summary>
public sealed record KeyResource(
    int Id,
    string Name,
    [property: Description("The RFC 7638 thumbprint: the kid a client assertion may name.")] string Thumbprint,
    [property: Description("Key type and size, e.g. \"EC P-256\", and a certificate's subject.")] string Description,
    DateTime CreatedAt,
    [property: Description("A user's email, or the client_id that added it through this API.")] string CreatedBy,
    [property: Description("From this instant (UTC) the key obtains no tokens.")] DateTime ExpiresAt,
    [property: Description("UTC calendar days from today to the expiry date; 0 on the expiry day, negative after it.")] int DaysLeft,
    CredentialState Status,
    DateTime? DisabledAt,
    [property: Description("The last time a token was issued with this key (UTC), if ever.")] DateTime? LastUsedAt,
    [property: Description("The public key as a JWK.")] JsonElement Jwk)
{
    [Description("The id of the key or secret that replaced this one in a rotation, if any: this one expires at the end of its grace period (expiresAt).")]
    public int? ReplacedBy { get; init; }

    [Description(UnusedResource.PropertyDescription)]
    public UnusedResource? Unused { get; init; }

    public static KeyResource From(ClientKey key, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var jwk = JsonDocument.Parse(key.PublicJwk);
        return new(key.Id, key.Name, key.Hint, key.KeyDescription, key.CreatedAt, key.CreatedBy, key.ExpiresAt,
            CredentialExpiryPolicy.DaysLeft(key.ExpiresAt, now), CredentialStates.Of(key, now), key.DisabledAt, key.LastUsedAt,
            jwk.RootElement.Clone())
        {
            ReplacedBy = key.ReplacedById,
            Unused = UnusedResource.Of(key, now),
        };
    }
}

/// <summary>The public keys of an application.</summary>
public sealed record KeyList(IReadOnlyList<KeyResource> Keys);

/// <summary>Adds a public key. Unknown fields are refused.</summary>
public sealed class AddKeyRequest
{
    [Description("A name that says where the key is used (at most 100 characters).")]
    public string? Name { get; init; }

    [Description("The public key: a JWK object, or a string holding a JWK, a JWKS with one key, a PEM public key or a PEM " +
        "certificate. RSA of at least 2048 bits or EC P-256/P-384; a private key is refused.")]
    public JsonElement Key { get; init; }

    [Description("Optional. When the key stops working: an RFC 3339 date-time with offset or a date (start of that day, UTC). " +
        "At most one year ahead and never after a certificate's notAfter; default one year (or the certificate's end).")]
    public string? ExpiresAt { get; init; }

    [Description("Optional. The id of an active secret or key of the application that this key replaces (a rotation): that one " +
        "then expires at the end of gracePeriod.")]
    public int? Replaces { get; init; }

    [Description(ApiRotation.GracePeriodDescription)]
    public string? GracePeriod { get; init; }

    [Description(ApiRotation.RetireAfterFirstUseDescription)]
    public string? RetireAfterFirstUse { get; init; }
}
