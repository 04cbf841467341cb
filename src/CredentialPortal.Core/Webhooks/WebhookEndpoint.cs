using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Organisations;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// A partner system's address that hears about credentials: owned by an organisation (every application of it;
/// managed by administrators) or by one application (managed by its credential managers). Exactly one of
/// <see cref="OrganisationId"/> and <see cref="ApplicationId"/> is set.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 200;
    public const int MaxEventTypesLength = 500;

    public int Id { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }

    public int? OrganisationId { get; set; }
    public Organisation? Organisation { get; set; }
    public int? ApplicationId { get; set; }
    public Application? Application { get; set; }

    /// <summary>
    /// The signing secret (<c>whsec_…</c>), protected with ASP.NET Core Data Protection like the signing keys: the
    /// receiver verifies with the same secret, so it cannot be hashed. Shown once, when the endpoint is registered.
    /// </summary>
    public required string ProtectedSecret { get; set; }

    /// <summary>
    /// The secret a rotation replaced, protected the same way, and when it stops signing: until then every delivery
    /// carries a signature with each secret, so a receiver still checking with the old one accepts it while its owners
    /// deploy the new one (<see cref="WebhookOptions.SecretRotationOverlap"/>). Both null when there was no rotation.
    /// </summary>
    public string? PreviousProtectedSecret { get; set; }
    public DateTime? PreviousSecretExpiresAt { get; set; }

    /// <summary>
    /// The event types it receives, space-separated; null for every type, those added in later releases included. A
    /// <c>webhook.test</c> is sent whenever someone asks for one.
    /// </summary>
    public string? EventTypes { get; set; }

    /// <summary>An administrator allowed deliveries to loopback, link-local and private addresses (an internal receiver).</summary>
    public bool AllowPrivateNetwork { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// The email of the user who registered it, shown on the webhook pages. The endpoint is not theirs: when they stop
    /// managing the application it keeps sending, and those who remain are told (<see cref="WebhookRegistrarNotice"/>).
    /// </summary>
    public required string CreatedBy { get; set; }

    /// <summary>Disabled endpoints get no new messages, and their pending ones are dropped.</summary>
    public DateTime? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }

    /// <summary>Messages given up one after the other; reset by a delivery. At the limit the endpoint is disabled.</summary>
    public int ConsecutiveFailures { get; set; }

    public List<WebhookDelivery> Deliveries { get; set; } = [];

    public bool IsDisabled => DisabledAt is not null;

    /// <summary>The address as pages, emails and the audit show it: without its query string, which may hold the receiver's token.</summary>
    public string DisplayUrl => DisplayUrlOf(Url);

    /// <summary>The event types it receives, in <see cref="WebhookEventTypes.Choosable"/>'s order.</summary>
    public IReadOnlyList<string> ReceivedEventTypes => WebhookEventTypes.Parse(EventTypes);

    public static string DisplayUrlOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) + (uri.Query.Length > 0 ? "?…" : "") : url;
}

public enum WebhookDeliveryOutcome
{
    Delivered = 0,

    /// <summary>A transient failure (timeout, 5xx, 429): the outbox tries again later with the same webhook-id.</summary>
    Retrying = 1,

    /// <summary>Given up: a permanent refusal (4xx, 410, a forbidden address) or out of attempts.</summary>
    Failed = 2,
}

/// <summary>One delivery attempt, for the endpoint's delivery log. The response body is never stored.</summary>
public sealed class WebhookDelivery
{
    public const int MaxErrorLength = 500;

    public long Id { get; set; }
    public int EndpointId { get; set; }
    public WebhookEndpoint Endpoint { get; set; } = null!;

    /// <summary>The <c>webhook-id</c>: the same for every attempt of one message.</summary>
    public required string MessageId { get; set; }
    public required string EventType { get; set; }
    public DateTime AttemptedAt { get; set; }
    public int Attempt { get; set; }
    public int? StatusCode { get; set; }
    public WebhookDeliveryOutcome Outcome { get; set; }
    public int DurationMilliseconds { get; set; }
    public string? Error { get; set; }
}
