using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Core.Webhooks;

/// <summary>The events a webhook endpoint hears about (the <c>type</c> of each payload).</summary>
public static class WebhookEventTypes
{
    public const string CredentialCreated = "credential.created";
    public const string CredentialDisabled = "credential.disabled";
    public const string CredentialEnabled = "credential.enabled";
    public const string CredentialDeleted = "credential.deleted";

    /// <summary>A credential was replaced in a rotation: the payload names the replacement and the old one's new expiry.</summary>
    public const string CredentialRotated = "credential.rotated";

    /// <summary>A client secret was reported as found in public (a scanner's alert or a manager's report).</summary>
    public const string CredentialLeaked = "credential.leaked";

    /// <summary>At each reminder slot before expiry (42, 21, 7 … 0 days), from the reminder pass.</summary>
    public const string CredentialExpiring = "credential.expiring";

    /// <summary>The final notice after expiry, from the reminder pass.</summary>
    public const string CredentialExpired = "credential.expired";

    /// <summary>An administrator switched the application off: it gets no more tokens.</summary>
    public const string ApplicationDeactivated = "application.deactivated";

    /// <summary>Sent from the endpoint's page to check the receiver.</summary>
    public const string Test = "webhook.test";

    /// <summary>What an endpoint can choose to receive, with what each tells, in the order the forms list them.</summary>
    public static readonly IReadOnlyList<(string Type, string Description)> Choosable =
    [
        (CredentialCreated, "a client secret or key is created"),
        (CredentialDisabled, "a client secret or key is disabled"),
        (CredentialEnabled, "a client secret or key is enabled again"),
        (CredentialDeleted, "a client secret or key is deleted"),
        (CredentialRotated, "a client secret or key is replaced by a new one and expires after a grace period"),
        (CredentialLeaked, "a client secret is found in public (and disabled)"),
        (CredentialExpiring, "a client secret or key expires soon (6, 3 and 1 weeks before, then daily)"),
        (CredentialExpired, "a client secret or key expired and the application has no other"),
        (ApplicationDeactivated, "an administrator deactivated the application"),
    ];

    /// <summary>
    /// How an endpoint stores a choice (<see cref="WebhookEndpoint.EventTypes"/>): null when every type is chosen, so
    /// that types added in later releases are received too; else the chosen ones, space-separated. Unknown names are left out.
    /// </summary>
    public static string? Store(IEnumerable<string> chosen)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        var set = chosen.ToHashSet(StringComparer.Ordinal);
        var known = Choosable.Select(c => c.Type).Where(set.Contains).ToList();
        return known.Count == Choosable.Count ? null : string.Join(' ', known);
    }

    /// <summary>The chosen types of a stored choice, in <see cref="Choosable"/>'s order.</summary>
    public static IReadOnlyList<string> Parse(string? stored) =>
        Choosable.Select(c => c.Type).Where(type => Includes(stored, type)).ToList();

    public static bool Includes(string? stored, string eventType) =>
        stored is null || stored.Split(' ').Contains(eventType, StringComparer.Ordinal);

    /// <summary>
    /// A credential change's audit event → its webhook event, queued by <c>CredentialLifecycle.CommitAsync</c> with the
    /// change on every path (portal, administration, management API); secrets and keys give the same events, told apart
    /// by the payload's <c>credential_kind</c>.
    /// </summary>
    public static readonly FrozenDictionary<string, string> FromAudit = new Dictionary<string, string>
    {
        [AuditEventTypes.SecretCreated] = CredentialCreated,
        [AuditEventTypes.SecretDisabled] = CredentialDisabled,
        [AuditEventTypes.SecretEnabled] = CredentialEnabled,
        [AuditEventTypes.SecretDeleted] = CredentialDeleted,
        [AuditEventTypes.SecretLeaked] = CredentialLeaked,
        [AuditEventTypes.SecretRotated] = CredentialRotated,
        [AuditEventTypes.KeyAdded] = CredentialCreated,
        [AuditEventTypes.KeyDisabled] = CredentialDisabled,
        [AuditEventTypes.KeyEnabled] = CredentialEnabled,
        [AuditEventTypes.KeyDeleted] = CredentialDeleted,
        [AuditEventTypes.KeyRotated] = CredentialRotated,
        [AuditEventTypes.FederatedIdentityAdded] = CredentialCreated,
        [AuditEventTypes.FederatedIdentityDisabled] = CredentialDisabled,
        [AuditEventTypes.FederatedIdentityEnabled] = CredentialEnabled,
        [AuditEventTypes.FederatedIdentityDeleted] = CredentialDeleted,
        [AuditEventTypes.FederatedIdentityRotated] = CredentialRotated,
    }.ToFrozenDictionary(StringComparer.Ordinal);
}

/// <summary>
/// A webhook message's body: <c>{"type", "id", "timestamp", "data": {application_name, client_id, credential_kind, credential_name,
/// credential_hint, expires_at, days_before_expiry, found_at, disabled, replaced_by}}</c>. The hint is what the portal shows (a secret's first
/// characters, a key's thumbprint); never a secret value. A secret found in public adds where (<c>found_at</c>) and
/// whether it is disabled now (<c>disabled</c>), so a receiver can tell "rotate now" from "rotate soon". A rotation adds
/// the new credential (<c>replaced_by</c>: its kind, name, hint and expiry); <c>expires_at</c> is then the end of the grace period.
/// </summary>
public static class WebhookPayload
{
    public static string Compose(string type, string id, DateTime timestamp, Application application, ClientCredential? credential,
        int? daysBeforeExpiry = null, ClientCredential? replacement = null)
    {
        ArgumentNullException.ThrowIfNull(application);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteString("id", id);
            json.WriteString("timestamp", Utc(timestamp));
            json.WriteStartObject("data");
            json.WriteString("application_name", application.Name);
            json.WriteString("client_id", application.ClientId);
            if (credential is not null)
            {
                json.WriteString("credential_kind", credential.Noun);
                json.WriteString("credential_name", credential.Name);
                json.WriteString("credential_hint", credential.Hint);
                json.WriteString("expires_at", Utc(credential.ExpiresAt));
                if (credential is ClientSecret { IsLeaked: true } leaked)
                {
                    json.WriteString("found_at", leaked.LeakLocation);
                    json.WriteBoolean("disabled", leaked.IsDisabled);
                }

                if (replacement is not null)
                {
                    json.WriteStartObject("replaced_by");
                    json.WriteString("credential_kind", replacement.Noun);
                    json.WriteString("credential_name", replacement.Name);
                    json.WriteString("credential_hint", replacement.Hint);
                    json.WriteString("expires_at", Utc(replacement.ExpiresAt));
                    json.WriteEndObject();
                }
            }

            if (daysBeforeExpiry is { } days)
            {
                json.WriteNumber("days_before_expiry", days);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The test event's body: no credential, just which endpoint it is for.</summary>
    public static string ComposeTest(string id, DateTime timestamp, int endpointId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", WebhookEventTypes.Test);
            json.WriteString("id", id);
            json.WriteString("timestamp", Utc(timestamp));
            json.WriteStartObject("data");
            json.WriteNumber("endpoint_id", endpointId);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Utc(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
