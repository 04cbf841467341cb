using System.ComponentModel;
using System.Text.Json.Serialization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Web.Api;

/// <summary>The applications the caller may manage.</summary>
public sealed record ApplicationList(IReadOnlyList<ApplicationResource> Applications);

/// <summary>An application as the management API shows it: registration, permissions and secret metadata.</summary>
public sealed record ApplicationResource(
    [property: Description("The permanent OAuth client_id.")] string ClientId,
    string Name,
    string Organisation,
    [property: Description("API short code, e.g. DM.")] string ApiCode,
    [property: Description("A PartnerAlternative application: sandbox permissions only.")] bool SandboxOnly,
    [property: Description("An inactive application gets no tokens.")] bool IsActive,
    [property: Description("May manage its own secrets with the scope credentials.self.")] bool AllowSelfRotation,
    [property: Description("A partner API that may introspect tokens at /connect/introspect.")] bool IsResourceServer,
    [property: Description("Tokens only with a DPoP proof (RFC 9449): each is bound to a key the application holds.")] bool RequireDpop,
    [property: Description("The most secrets the application may hold.")] int CredentialLimit,
    [property: Description("The last time a token was issued to the application (UTC), if ever.")] DateTime? LastUsedAt,
    IReadOnlyList<PermissionResource> Permissions,
    IReadOnlyList<SecretResource> Secrets);

/// <summary>One API the application may call in one environment.</summary>
public sealed record PermissionResource(
    [property: Description("API resource name, e.g. data-manager.")] string Api,
    [property: Description("production or sandbox.")] string Environment,
    [property: Description("The OAuth scope this permission grants.")] string Scope);

/// <summary>How a secret or key stands now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CredentialState>))]
public enum CredentialState
{
    [JsonStringEnumMemberName("active")]
    Active,

    [JsonStringEnumMemberName("disabled")]
    Disabled,

    [JsonStringEnumMemberName("expired")]
    Expired,
}

internal static class CredentialStates
{
    /// <summary>The API's word for a credential's <see cref="CredentialStatus"/> (its "expiring" is still active).</summary>
    public static CredentialState Of(ClientCredential credential, DateTime now) => credential.StatusAt(now) switch
    {
        CredentialStatus.Disabled => CredentialState.Disabled,
        CredentialStatus.Expired => CredentialState.Expired,
        _ => CredentialState.Active,
    };
}

/// <summary>A secret's metadata. The value itself is never returned, except once by the response that creates it.</summary>
public record SecretResource(
    int Id,
    string Name,
    [property: Description("The first characters of the value, to recognise it.")] string Hint,
    DateTime CreatedAt,
    [property: Description("A user's email, or the client_id that created it through this API.")] string CreatedBy,
    [property: Description("From this instant (UTC) the secret obtains no tokens.")] DateTime ExpiresAt,
    [property: Description("UTC calendar days from today to the expiry date, as the portal and the reminders count them; 0 on the expiry day, negative after it.")] int DaysLeft,
    CredentialState Status,
    DateTime? DisabledAt,
    [property: Description("The last time a token was issued with this secret (UTC), if ever.")] DateTime? LastUsedAt)
{
    [Description("When the secret was reported as found in public (UTC), if it was: create a new one and delete this one.")]
    public DateTime? LeakedAt { get; init; }

    [Description("Where it was found: the address a scanner reported, or what the person who reported it wrote.")]
    public string? LeakLocation { get; init; }

    [Description("The id of the secret or key that replaced this one in a rotation, if any: this one expires at the end of its grace period (expiresAt).")]
    public int? ReplacedBy { get; init; }

    [Description(UnusedResource.PropertyDescription)]
    public UnusedResource? Unused { get; init; }

    public static SecretResource From(ClientSecret secret, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new(secret.Id, secret.Name, secret.Hint, secret.CreatedAt, secret.CreatedBy, secret.ExpiresAt,
            CredentialExpiryPolicy.DaysLeft(secret.ExpiresAt, now), CredentialStates.Of(secret, now), secret.DisabledAt, secret.LastUsedAt)
        {
            LeakedAt = secret.LeakedAt,
            LeakLocation = secret.LeakLocation,
            ReplacedBy = secret.ReplacedById,
            Unused = UnusedResource.Of(secret, now),
        };
    }
}

/// <summary>Reports a secret as found in public. Unknown fields are refused.</summary>
public sealed class ReportLeakRequest
{
    [Description("Where the secret was found: an address, or a few words (at most 1000 characters; never the secret itself).")]
    public string? Location { get; init; }
}

/// <summary>The response that creates a secret: its metadata and, this one time only, its value.</summary>
public sealed record CreatedSecretResource(
    int Id,
    string Name,
    string Hint,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime ExpiresAt,
    int DaysLeft,
    CredentialState Status,
    DateTime? DisabledAt,
    DateTime? LastUsedAt,
    [property: Description("The client_id the secret belongs to.")] string ClientId,
    [property: Description("The secret value. Shown only in this response: store it now.")] string Value)
    : SecretResource(Id, Name, Hint, CreatedAt, CreatedBy, ExpiresAt, DaysLeft, Status, DisabledAt, LastUsedAt);

/// <summary>Creates a secret. Unknown fields are refused.</summary>
public sealed class CreateSecretRequest
{
    [Description("A name that says where the secret is used (at most 100 characters).")]
    public string? Name { get; init; }

    [Description("When the secret stops working: an RFC 3339 date-time with offset (2027-05-01T00:00:00Z), or a date " +
        "(2027-05-01), meaning the start of that day in UTC. In the future and at most one year ahead.")]
    public string? ExpiresAt { get; init; }
}

internal static class ApiResources
{
    public static ApplicationResource From(Application application, DateTime now) => new(
        application.ClientId,
        application.Name,
        application.Organisation.Name,
        application.ApiCode,
        application.IsSandboxOnly,
        application.IsActive,
        application.AllowSelfRotation,
        application.IsResourceServer,
        application.RequireDpop,
        application.CredentialLimit,
        application.LastUsedAt,
        [.. application.Permissions
            .OrderBy(p => p.Api, StringComparer.Ordinal).ThenBy(p => p.Environment)
            .Select(p => new PermissionResource(p.Api, p.Environment == ApiEnvironment.Sandbox ? "sandbox" : "production", p.Scope))],
        [.. application.Secrets.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => SecretResource.From(s, now))]);
}
