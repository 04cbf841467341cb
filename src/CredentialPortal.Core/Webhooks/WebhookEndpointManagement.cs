using System.Globalization;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>A registered endpoint and its signing secret, shown to the user this once.</summary>
public sealed record RegisteredWebhook(WebhookEndpoint Endpoint, string Secret);

public sealed record WebhookRegistrationResult(RegisteredWebhook? Registered, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Registered is not null;
}

/// <summary>A rotated endpoint's new signing secret, shown to the user this once, and until when the previous one still signs.</summary>
public sealed record RotatedWebhookSecret(string Secret, DateTime PreviousSecretExpiresAt);

public enum WebhookRedelivery
{
    Queued,

    /// <summary>No message with that webhook-id, or its payload is gone (delivered before payloads were kept).</summary>
    NotFound,

    /// <summary>The message is still queued or retrying: the outbox tries it again by itself.</summary>
    StillPending,

    EndpointDisabled,
}

/// <summary>A message still queued for an endpoint: new, or retrying after a failure, and when it is next tried.</summary>
public sealed record PendingWebhookMessage(string MessageId, string EventType, int Attempts, DateTime NextAttemptAt, string? LastError);

/// <summary>An endpoint's latest delivery attempts, its messages still queued, and which of the logged messages can be sent again.</summary>
public sealed record WebhookDeliveryLog(IReadOnlyList<WebhookDelivery> Attempts, IReadOnlyList<PendingWebhookMessage> Pending,
    IReadOnlySet<string> Redeliverable);

/// <summary>
/// What the webhook pages do, each with its audit event in the same save. Who may do it (administrators for
/// organisations, credential managers for their applications) is the pages' check.
/// </summary>
public sealed class WebhookEndpointManagement(CredentialPortalDbContext db, WebhookSecrets secrets, WebhookHttp http,
    WebhookOrganisationNotice organisationNotice, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string UrlField = "Url";
    public const string DescriptionField = "Description";
    public const string EventTypesField = "EventTypes";

    /// <summary>
    /// Registers an endpoint for an organisation or (exactly one of them) an application, receiving
    /// <paramref name="eventTypes"/> (null: every type). An organisation's endpoint is emailed to its users.
    /// </summary>
    public async Task<WebhookRegistrationResult> RegisterAsync(string? url, string? description, int? organisationId, int? applicationId,
        bool allowPrivateNetwork, AuditActor actor, IReadOnlyCollection<string>? eventTypes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if ((organisationId is null) == (applicationId is null))
        {
            throw new ArgumentException("An endpoint belongs to an organisation or to an application.", nameof(organisationId));
        }

        var input = Check(url, description, eventTypes, allowPrivateNetwork);
        if (input.Errors.Count > 0)
        {
            return new WebhookRegistrationResult(null, input.Errors);
        }

        var owner = applicationId is { } appId
            ? await db.Applications.Where(a => a.Id == appId).Select(a => new { a.OrganisationId, a.Name }).SingleAsync(cancellationToken)
            : await db.Organisations.Where(o => o.Id == organisationId).Select(o => new { OrganisationId = o.Id, o.Name }).SingleAsync(cancellationToken);
        var secret = StandardWebhooks.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Url = input.Url,
            Description = input.Description,
            EventTypes = input.EventTypes,
            OrganisationId = organisationId,
            ApplicationId = applicationId,
            ProtectedSecret = secrets.Protect(secret),
            AllowPrivateNetwork = allowPrivateNetwork,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            CreatedBy = actor.Name,
        };
        // The organisation's email links to the endpoint's page, so it needs the id of a first save: the transaction
        // makes both saves one commit.
        await using var transaction = organisationId is null ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        db.WebhookEndpoints.Add(endpoint);
        new AuditLog(db, time).Add(AuditEventTypes.WebhookRegistered, actor,
            $"webhook endpoint to {new Uri(input.Url).Host} for {owner.Name}{(allowPrivateNetwork ? ", private networks allowed" : "")}",
            owner.OrganisationId, applicationId);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await organisationNotice.QueueAsync(endpoint, owner.Name, actor, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return new WebhookRegistrationResult(new RegisteredWebhook(endpoint, secret), input.Errors);
    }

    /// <summary>
    /// Changes the address, description and event types, checked as at registration; the signing secret stays. Returns
    /// the errors by field, empty when saved (or nothing changed). <paramref name="url"/> equal to
    /// <see cref="WebhookEndpoint.DisplayUrl"/> keeps the stored address.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> UpdateAsync(WebhookEndpoint endpoint, string? url, string? description,
        IReadOnlyCollection<string> eventTypes, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(eventTypes);
        // The form shows the address without its query string (it may hold the receiver's token): sent back as shown,
        // it keeps the address as stored.
        if (url?.Trim() == endpoint.DisplayUrl)
        {
            url = endpoint.Url;
        }

        var input = Check(url, description, eventTypes, endpoint.AllowPrivateNetwork);
        if (input.Errors.Count > 0)
        {
            return input.Errors;
        }

        var changes = new List<string>();
        if (input.Url != endpoint.Url)
        {
            // Shown without the query strings, which may hold the receiver's token.
            changes.Add($"address {endpoint.DisplayUrl} → {WebhookEndpoint.DisplayUrlOf(input.Url)}");
        }

        if (input.Description != endpoint.Description)
        {
            changes.Add("description");
        }

        if (input.EventTypes != endpoint.EventTypes)
        {
            changes.Add($"event types {EventTypesText(input.EventTypes)}");
        }

        if (changes.Count == 0)
        {
            return input.Errors;
        }

        endpoint.Url = input.Url;
        endpoint.Description = input.Description;
        endpoint.EventTypes = input.EventTypes;
        new AuditLog(db, time).Add(AuditEventTypes.WebhookChanged, actor,
            $"webhook endpoint to {new Uri(endpoint.Url).Host} changed: {string.Join("; ", changes)}",
            OrganisationOf(endpoint), endpoint.ApplicationId);
        await db.SaveChangesAsync(cancellationToken);
        return input.Errors;
    }

    /// <summary>
    /// A new signing secret; the previous one keeps signing alongside it for <see cref="WebhookOptions.SecretRotationOverlap"/>.
    /// A secret older than that (a second rotation within the overlap) stops signing at once.
    /// </summary>
    public async Task<RotatedWebhookSecret> RotateSecretAsync(WebhookEndpoint endpoint, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var secret = StandardWebhooks.NewSecret();
        var until = time.GetUtcNow().UtcDateTime + options.Value.SecretRotationOverlap;
        endpoint.PreviousProtectedSecret = endpoint.ProtectedSecret;
        endpoint.PreviousSecretExpiresAt = until;
        endpoint.ProtectedSecret = secrets.Protect(secret);
        new AuditLog(db, time).Add(AuditEventTypes.WebhookSecretRotated, actor,
            string.Create(CultureInfo.InvariantCulture,
                $"webhook endpoint to {new Uri(endpoint.Url).Host}: new signing secret; the previous one also signs until {until:yyyy-MM-dd HH:mm} UTC"),
            OrganisationOf(endpoint), endpoint.ApplicationId);
        await db.SaveChangesAsync(cancellationToken);
        return new RotatedWebhookSecret(secret, until);
    }

    /// <summary>Queues a logged message once more, with the same webhook-id and payload, through the outbox.</summary>
    public async Task<WebhookRedelivery> RedeliverAsync(WebhookEndpoint endpoint, string? messageId, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsDisabled)
        {
            return WebhookRedelivery.EndpointDisabled;
        }

        var queued = await MessagesOf(endpoint.Id).Where(m => m.WebhookMessageId == messageId).OrderByDescending(m => m.Id).ToListAsync(cancellationToken);
        if (queued.Any(m => m.Status == OutboxStatus.Pending))
        {
            return WebhookRedelivery.StillPending;
        }

        if (queued.FirstOrDefault(m => !string.IsNullOrEmpty(m.WebhookPayload)) is not { } original)
        {
            return WebhookRedelivery.NotFound;
        }

        WebhookOutbox.AddRedelivery(db, time.GetUtcNow().UtcDateTime, original);
        new AuditLog(db, time).Add(AuditEventTypes.WebhookRedelivered, actor,
            $"webhook {original.WebhookMessageId} \"{original.WebhookEventType}\" to {new Uri(endpoint.Url).Host} queued again",
            OrganisationOf(endpoint), endpoint.ApplicationId, original.CredentialId);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookRedelivery.Queued;
    }

    /// <summary>
    /// The latest <paramref name="maxAttempts"/> delivery attempts, the messages still queued (oldest due first), and
    /// which logged messages <see cref="RedeliverAsync"/> would send again: those no longer queued whose payload is kept.
    /// </summary>
    public async Task<WebhookDeliveryLog> DeliveryLogAsync(int endpointId, int maxAttempts, CancellationToken cancellationToken = default)
    {
        var attempts = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.Id).Take(maxAttempts).ToListAsync(cancellationToken);
        var pending = await MessagesOf(endpointId).Where(m => m.Status == OutboxStatus.Pending)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Take(maxAttempts)
            .Select(m => new PendingWebhookMessage(m.WebhookMessageId!, m.WebhookEventType!, m.Attempts, m.NextAttemptAt, m.LastError))
            .ToListAsync(cancellationToken);
        var logged = attempts.Select(a => a.MessageId).Distinct().ToList();
        var queued = await MessagesOf(endpointId).Where(m => logged.Contains(m.WebhookMessageId!))
            .Select(m => new { m.WebhookMessageId, m.Status, HasPayload = m.WebhookPayload != null && m.WebhookPayload != "" })
            .ToListAsync(cancellationToken);
        var redeliverable = queued.GroupBy(m => m.WebhookMessageId!)
            .Where(g => g.Any(m => m.HasPayload) && g.All(m => m.Status != OutboxStatus.Pending))
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        return new WebhookDeliveryLog(attempts, pending, redeliverable);
    }

    public async Task SetEnabledAsync(WebhookEndpoint endpoint, bool enabled, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsDisabled != enabled)
        {
            return;
        }

        endpoint.DisabledAt = enabled ? null : time.GetUtcNow().UtcDateTime;
        endpoint.DisabledReason = enabled ? null : $"Disabled by {actor.Name}.";
        endpoint.ConsecutiveFailures = 0;
        Audit(enabled ? AuditEventTypes.WebhookEnabled : AuditEventTypes.WebhookDisabled, endpoint, actor);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes the endpoint and its delivery log; messages still queued for it are dropped unsent.</summary>
    public async Task DeleteAsync(WebhookEndpoint endpoint, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Audit(AuditEventTypes.WebhookDeleted, endpoint, actor);
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Queues a <c>webhook.test</c> message for this endpoint; returns its webhook-id.</summary>
    public async Task<string> SendTestAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var id = WebhookOutbox.NewMessageId();
        var now = time.GetUtcNow().UtcDateTime;
        WebhookOutbox.Add(db, now, endpoint.Id, WebhookEventTypes.Test, id, WebhookPayload.ComposeTest(id, now, endpoint.Id),
            OrganisationOf(endpoint), endpoint.ApplicationId, null);
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>How the pages and the organisation's email name a stored choice of event types.</summary>
    public static string EventTypesText(string? stored) =>
        stored is null ? "all events" : string.Join(", ", WebhookEventTypes.Parse(stored));

    private sealed record Input(string Url, string? Description, string? EventTypes, Dictionary<string, string> Errors);

    /// <summary>The one check of what a person types, for registration and changes alike.</summary>
    private Input Check(string? url, string? description, IReadOnlyCollection<string>? eventTypes, bool allowPrivateNetwork)
    {
        url = url?.Trim();
        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        var stored = eventTypes is null ? null : WebhookEventTypes.Store(eventTypes);
        var errors = new Dictionary<string, string>();
        if (url is { Length: > WebhookEndpoint.MaxUrlLength })
        {
            errors[UrlField] = $"The address can be at most {WebhookEndpoint.MaxUrlLength} characters.";
        }
        else if (http.RefusalOf(url, allowPrivateNetwork) is { } refusal)
        {
            errors[UrlField] = refusal;
        }

        if (description is { Length: > WebhookEndpoint.MaxDescriptionLength })
        {
            errors[DescriptionField] = $"The description can be at most {WebhookEndpoint.MaxDescriptionLength} characters.";
        }

        if (stored is { Length: 0 })
        {
            errors[EventTypesField] = "Choose at least one event for the endpoint to receive.";
        }

        return new Input(url ?? "", description, stored, errors);
    }

    private IQueryable<OutboxMessage> MessagesOf(int endpointId) =>
        db.OutboxMessages.Where(m => m.Channel == OutboxChannel.Webhook && m.WebhookEndpointId == endpointId);

    private static int? OrganisationOf(WebhookEndpoint endpoint) => endpoint.OrganisationId ?? endpoint.Application?.OrganisationId;

    private void Audit(string eventType, WebhookEndpoint endpoint, AuditActor actor) =>
        new AuditLog(db, time).Add(eventType, actor, $"webhook endpoint to {new Uri(endpoint.Url).Host}", OrganisationOf(endpoint), endpoint.ApplicationId);
}
