using System.Text.Json;
using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// A workload of the partner that authenticates with a token its own platform issues (a GitHub Actions OIDC token, a
/// Kubernetes service-account token, the partner's OAuth server's token): nothing secret is stored here. The token must
/// come from <see cref="Issuer"/> (one the operator trusts), name <see cref="Subject"/> and <see cref="Audience"/> exactly,
/// and carry every claim of <see cref="Claims"/> with exactly that value.
/// <para>
/// Its optional review date is <see cref="ClientCredential.ExpiresAt"/>: on that day it stops working, as a secret does at
/// its expiry, and the reminders ask for a review before it. Without one it is stored as <see cref="NoReviewDate"/>, an
/// instant no query counts as expiring and no reminder slot reaches, so every rule built on expiry (active, expiring soon,
/// reminders, "replaced by a later one") holds unchanged and the column stays non-null for the previous release.
/// </para>
/// </summary>
public sealed class FederatedIdentity : ClientCredential
{
    public const int MaxIssuerLength = 300;
    public const int MaxSubjectLength = 300;
    public const int MaxAudienceLength = 300;
    public const int MaxClaimsLength = 2000;
    public const int MaxClaims = 10;

    /// <summary>The expiry of a federated identity without a review date (see the class summary).</summary>
    public static readonly DateTime NoReviewDate = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    public FederatedIdentity() => Kind = CredentialKind.FederatedIdentity;

    public Application Application { get; set; } = null!;

    /// <summary>The trusted issuer's identifier, exactly as its tokens' <c>iss</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>The token's <c>sub</c>, compared exactly (e.g. <c>repo:acme/billing:ref:refs/heads/main</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>The one <c>aud</c> the token must carry: by default this token service's issuer identifier.</summary>
    public required string Audience { get; init; }

    /// <summary>Further claims the token must carry with exactly these string values, as a JSON object; null when none.</summary>
    public string? Claims { get; init; }

    public bool HasReviewDate => ExpiresAt != NoReviewDate;

    /// <summary>The claims of <see cref="Claims"/> (empty when none).</summary>
    public IReadOnlyDictionary<string, string> ClaimValues => ParseClaims(Claims);

    public static IReadOnlyDictionary<string, string> ParseClaims(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    public static string? SerializeClaims(IReadOnlyDictionary<string, string> claims) =>
        claims.Count == 0 ? null : JsonSerializer.Serialize(claims.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value));

    /// <summary>The hint people recognise it by: its subject, cut to the hint's length with an ellipsis when longer.</summary>
    public static string HintOf(string subject) =>
        subject.Length <= MaxHintLength ? subject : subject[..(MaxHintLength - 1)] + "\u2026";
}
