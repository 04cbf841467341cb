namespace CredentialPortal.Core.Credentials;

/// <summary>
/// An external issuer an administrator trusts on the portal, beside those of <see cref="FederationOptions.TrustedIssuers"/>
/// (table <c>TrustedIssuers</c>).
/// </summary>
public sealed class TrustedIssuer
{
    public int Id { get; set; }

    /// <summary>The issuer identifier, exactly as its tokens' <c>iss</c>.</summary>
    public required string Issuer { get; init; }

    public DateTime AddedAt { get; init; }

    public required string AddedBy { get; init; }
}

/// <summary>What an issuer identifier may look like, for configuration and the admin form alike.</summary>
public static class TrustedIssuerRules
{
    /// <summary>The identifier when it is an absolute http(s) URL without user info, query or fragment; otherwise null.</summary>
    public static string? Normalize(string? issuer)
    {
        issuer = issuer?.Trim();
        return Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
            && issuer!.Length <= FederatedIdentity.MaxIssuerLength
            ? issuer
            : null;
    }
}
