using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>A registered endpoint and its signing secret, shown to the user this once.</summary>
public sealed record RegisteredWebhook(WebhookEndpoint Endpoint, string Secret);

public sealed record WebhookRegistrationResult(RegisteredWebhook? Registered, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Registered is not null;
}

/// <summary>
/// What the webhook pages do, each with its audit event in the same save. Who may do it (administrators for
/// organisations, credential managers for their applications) is the pages' check.
/// </summary>
public sealed class WebhookEndpointManagement(CredentialPortalDbContext db, WebhookSecrets secrets, WebhookHttp http,
    TimeProvider time)
{
    public const string UrlField = "Url";
    public const string DescriptionField = "Description";

    /// <summary>Registers an endpoint for an organisation or (exactly one of them) an application.</summary>
    public async Task<WebhookRegistrationResult> RegisterAsync(string? url, string? description, int? organisationId, int? applicationId,
        bool allowPrivateNetwork, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if ((organisationId is null) == (applicationId is null))
        {
            throw new ArgumentException("An endpoint belongs to an organisation or to an application.", nameof(organisationId));
        }

        url = url?.Trim();
        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
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

        if (errors.Count > 0)
        {
            return new WebhookRegistrationResult(null, errors);
        }

        var owner = applicationId is { } appId
            ? await db.Applications.Where(a => a.Id == appId).Select(a => new { a.OrganisationId, a.Name }).SingleAsync(cancellationToken)
            : await db.Organisations.Where(o => o.Id == organisationId).Select(o => new { OrganisationId = o.Id, o.Name }).SingleAsync(cancellationToken);
        var secret = StandardWebhooks.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Url = url!,
            Description = description,
            OrganisationId = organisationId,
            ApplicationId = applicationId,
            ProtectedSecret = secrets.Protect(secret),
            AllowPrivateNetwork = allowPrivateNetwork,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            CreatedBy = actor.Name,
        };
        db.WebhookEndpoints.Add(endpoint);
        new AuditLog(db, time).Add(AuditEventTypes.WebhookRegistered, actor,
            $"webhook endpoint to {new Uri(url!).Host} for {owner.Name}{(allowPrivateNetwork ? ", private networks allowed" : "")}",
            owner.OrganisationId, applicationId);
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookRegistrationResult(new RegisteredWebhook(endpoint, secret), errors);
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
            endpoint.OrganisationId ?? endpoint.Application?.OrganisationId, endpoint.ApplicationId, null);
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    private void Audit(string eventType, WebhookEndpoint endpoint, AuditActor actor) =>
        new AuditLog(db, time).Add(eventType, actor, $"webhook endpoint to {new Uri(endpoint.Url).Host}",
            endpoint.OrganisationId ?? endpoint.Application?.OrganisationId, endpoint.ApplicationId);
}
