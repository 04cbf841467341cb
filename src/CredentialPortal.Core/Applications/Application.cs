using System.Linq.Expressions;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Users;

namespace CredentialPortal.Core.Applications;

/// <summary>
/// A partner system's registration: one permanent client_id, its API permissions and its credentials.
/// Created and edited by administrators only.
/// </summary>
public sealed class Application
{
    /// <summary>
    /// Whether tokens are issued to it at all, credentials aside: it and its organisation are active. Deactivating an
    /// organisation stops its applications without touching their own setting.
    /// </summary>
    public static readonly Expression<Func<Application, bool>> InService = a => a.IsActive && a.Organisation.IsActive;

    public const int DefaultCredentialLimit = 10;
    public const int MaxNameLength = 150;

    /// <summary>The column's length; a UUID (<see cref="SecretGenerator.NewClientId"/>) needs 36.</summary>
    public const int MaxClientIdLength = 64;
    public const int MaxApiCodeLength = 16;
    public const int MaxNotificationEmailsLength = 4000;
    public const int MaxIntrospectionAudiencesLength = 2000;

    public int Id { get; set; }

    /// <summary>Server-generated, permanent, never reused (see <see cref="SecretGenerator.NewClientId"/>).</summary>
    public required string ClientId { get; init; }

    /// <summary>Follows <see cref="ApplicationName"/>, e.g. <c>Partner-NL-DemoOrg-DM</c>.</summary>
    public required string Name { get; set; }

    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;

    /// <summary>API short code from <see cref="ApiCatalog"/>, e.g. <c>DM</c> or <c>SMC</c>.</summary>
    public required string ApiCode { get; set; }

    /// <summary>A <c>PartnerAlternative-</c> application: may hold sandbox permissions only.</summary>
    public bool IsSandboxOnly { get; set; }

    /// <summary>An inactive application gets no tokens, whatever its credentials.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>How many credentials (of every kind, disabled and expired ones too) the application may hold.</summary>
    public int CredentialLimit { get; set; } = DefaultCredentialLimit;

    /// <summary>May manage its own credentials through the management API (scope <c>credentials.self</c>).</summary>
    public bool AllowSelfRotation { get; set; }

    /// <summary>An administrators' automation client (scope <c>credentials.admin</c>).</summary>
    public bool IsAdminAutomationClient { get; set; }

    /// <summary>
    /// A partner API that may ask <c>POST /connect/introspect</c> whether a token is still active (RFC 7662), so that a
    /// disabled or deleted credential stops working there at once rather than when its tokens expire.
    /// </summary>
    public bool IsResourceServer { get; set; }

    /// <summary>
    /// The audiences a resource server serves: it may introspect only tokens meant for one of them. Empty: the partner
    /// APIs' audiences (the token service's default and per-API audiences), so an existing resource server keeps
    /// working. Management-API tokens are never introspected, whatever is listed.
    /// </summary>
    public List<string> IntrospectionAudiences { get; set; } = [];

    /// <summary>
    /// Tokens only with a DPoP proof (RFC 9449): every token is bound to a key the application holds, so a copied token
    /// is useless without it. Off: a proof is optional and a request without one gets a bearer token.
    /// </summary>
    public bool RequireDpop { get; set; }

    /// <summary>
    /// The policy as the previous release stores and reads it (secrets and keys, keys only, secrets only). This release
    /// reads <see cref="AllowedKinds"/> and writes both (<see cref="SetAllowedKinds"/>).
    /// </summary>
    public AuthenticationPolicy AuthenticationPolicy { get; set; }

    /// <summary>
    /// The kinds of credential that obtain tokens, as an administrator last set them here; null for an application this
    /// release never saved a policy for, whose <see cref="AuthenticationPolicy"/> then says (0: every kind).
    /// </summary>
    public AllowedKinds? AllowedCredentialKinds { get; set; }

    /// <summary>The kinds of credential that obtain tokens (see <see cref="AuthenticationPolicies.Effective"/>).</summary>
    public AllowedKinds AllowedKinds => AuthenticationPolicies.Effective(AllowedCredentialKinds, AuthenticationPolicy);

    /// <summary>Sets the allowed kinds, and the previous release's policy to the nearest it can read.</summary>
    public void SetAllowedKinds(AllowedKinds kinds)
    {
        AllowedCredentialKinds = kinds;
        AuthenticationPolicy = AuthenticationPolicies.ForPreviousRelease(kinds);
    }

    /// <summary>Extra addresses that receive expiry reminders, besides the credential managers.</summary>
    public List<string> NotificationEmails { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    /// <summary>The last time a token was issued to this application (flushed in batches).</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>Optimistic concurrency token, changed on every update.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public List<ApplicationPermission> Permissions { get; } = [];
    public List<ClientSecret> Secrets { get; } = [];
    public List<ClientKey> Keys { get; } = [];
    public List<FederatedIdentity> FederatedIdentities { get; } = [];
    public List<CredentialManagerAssignment> Managers { get; } = [];
}
