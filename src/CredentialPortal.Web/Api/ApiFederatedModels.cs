using System.ComponentModel;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Web.Api;

/// <summary>A federated identity of an application: which external tokens count as the application. Nothing secret.</summary>
public sealed record FederatedCredentialResource(
    int Id,
    string Name,
    [property: Description("The trusted issuer whose tokens count (their iss).")] string Issuer,
    [property: Description("The sub the token must carry, compared exactly.")] string Subject,
    [property: Description("The one aud the token must carry.")] string Audience,
    [property: Description("Further claims the token must carry with exactly these values.")] IReadOnlyDictionary<string, string> Claims,
    DateTime CreatedAt,
    [property: Description("A user's email, or the client_id that added it through this API.")] string CreatedBy,
    [property: Description("The review date (UTC): from then on it obtains no tokens; null when none was set.")] DateTime? ReviewBy,
    CredentialState Status,
    DateTime? DisabledAt,
    [property: Description("The last time a token was issued with it (UTC), if ever.")] DateTime? LastUsedAt)
{
    [Description(UnusedResource.PropertyDescription)]
    public UnusedResource? Unused { get; init; }

    public static FederatedCredentialResource From(FederatedIdentity identity, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new(identity.Id, identity.Name, identity.Issuer, identity.Subject, identity.Audience, identity.ClaimValues, identity.CreatedAt,
            identity.CreatedBy, identity.HasReviewDate ? identity.ExpiresAt : null, CredentialStates.Of(identity, now), identity.DisabledAt,
            identity.LastUsedAt)
        {
            Unused = UnusedResource.Of(identity, now),
        };
    }
}

/// <summary>The federated identities of an application.</summary>
public sealed record FederatedCredentialList(IReadOnlyList<FederatedCredentialResource> FederatedCredentials);

/// <summary>Adds a federated identity. Unknown fields are refused.</summary>
public sealed class AddFederatedCredentialRequest
{
    [Description("A name that says which workload it is (at most 100 characters).")]
    public string? Name { get; init; }

    [Description("One of the trusted issuers, exactly as its tokens' iss, e.g. https://token.actions.githubusercontent.com.")]
    public string? Issuer { get; init; }

    [Description("The token's sub, e.g. repo:OWNER/REPO:ref:refs/heads/main or system:serviceaccount:NAMESPACE:NAME.")]
    public string? Subject { get; init; }

    [Description("Optional. The one aud the token must carry; default this token service's issuer identifier.")]
    public string? Audience { get; init; }

    [Description("Optional. Claims the token must carry with exactly these values, e.g. {\"repository_owner_id\": \"123\"}.")]
    public Dictionary<string, string>? Claims { get; init; }

    [Description("Optional. The review date: an RFC 3339 date-time with offset or a date (start of that day, UTC), at most one year ahead. " +
        "Reminders come before it and it stops working on it; without one it works until disabled or deleted.")]
    public string? ReviewBy { get; init; }
}
