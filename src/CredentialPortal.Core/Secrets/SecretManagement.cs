using System.Globalization;
using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Secrets;

/// <summary>The outcome of creating a secret: the secret, or messages per input field saying why not.</summary>
public sealed record SecretCreationResult(CreatedSecret? Created, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Created is not null;

    internal static SecretCreationResult Refused(string field, string message) =>
        new(null, new Dictionary<string, string> { [field] = message });
}

/// <summary>A created secret: the stored row and the value, which exists only in this response.</summary>
public sealed record CreatedSecret(ClientSecret Secret, string Value);

/// <summary>
/// Creates, disables, enables and deletes client secrets with the same rules everywhere — the portal, the
/// administration pages and the management API: validation and limits, audit event, cache invalidation for the
/// token service, and a security notification to the application's credential managers, queued in the email outbox
/// in the same transaction as the change (so it is neither lost nor sent for a change that did not happen).
/// </summary>
public sealed class SecretManagement(
    CredentialPortalDbContext db,
    AuditLog audit,
    EmailOutbox outbox,
    PortalAddress portal,
    TimeProvider time)
{
    public const string NameField = "Name";
    public const string ExpiryField = "ExpiresAt";

    /// <summary>
    /// Creates a secret within the application's secret limit. Throws <see cref="DbUpdateConcurrencyException"/> when
    /// the application changed since it was loaded (e.g. a concurrent creation); nothing is saved then.
    /// </summary>
    public async Task<SecretCreationResult> CreateAsync(
        Application application, string? name, DateTime expiresAt, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return SecretCreationResult.Refused(NameField, "Enter a name for the secret.");
        }

        if (PlainText.HasControlCharacters(name))
        {
            return SecretCreationResult.Refused(NameField, $"The name {PlainText.ErrorMessage}.");
        }

        if (name.Length > ClientSecret.MaxNameLength)
        {
            return SecretCreationResult.Refused(NameField, $"The name can be at most {ClientSecret.MaxNameLength} characters.");
        }

        if (SecretExpiryPolicy.Validate(expiresAt, now) is { } expiryError)
        {
            return SecretCreationResult.Refused(ExpiryField, expiryError);
        }

        var count = await db.ClientSecrets.CountAsync(s => s.ApplicationId == application.Id, cancellationToken);
        if (count >= application.SecretLimit)
        {
            return SecretCreationResult.Refused(NameField,
                $"This application already has {(count == 1 ? "1 secret" : $"{count} secrets")}, the most it may have ({application.SecretLimit}). " +
                "Delete a secret you no longer use first.");
        }

        // The count above and this insert are one decision: a new Version makes the save fail with
        // DbUpdateConcurrencyException when another secret was created (or the application changed) meanwhile, so two
        // concurrent requests cannot both pass the limit.
        if (db.Entry(application).State == EntityState.Detached)
        {
            db.Applications.Attach(application);
        }

        application.Version = Guid.NewGuid();
        var generated = SecretGenerator.NewSecret();
        var secret = new ClientSecret
        {
            ApplicationId = application.Id,
            Name = name,
            Hash = generated.Hash,
            Hint = generated.Hint,
            CreatedAt = now,
            CreatedBy = actor.Name,
            ExpiresAt = expiresAt,
        };
        db.ClientSecrets.Add(secret);
        // Two saves (the audit event and the notification need the secret's id), one transaction.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await db.SaveChangesAsync(cancellationToken);
        await CommitChangeAsync(application, secret, AuditEventTypes.SecretCreated, actor, now, cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return new SecretCreationResult(new CreatedSecret(secret, generated.Value), new Dictionary<string, string>());
    }

    public async Task DisableAsync(Application application, ClientSecret secret, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(actor);
        if (secret.IsDisabled)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        secret.DisabledAt = now;
        secret.DisabledBy = actor.Name;
        await CommitChangeAsync(application, secret, AuditEventTypes.SecretDisabled, actor, now, cancellationToken);
    }

    public async Task EnableAsync(Application application, ClientSecret secret, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!secret.IsDisabled)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        secret.DisabledAt = null;
        secret.DisabledBy = null;
        await CommitChangeAsync(application, secret, AuditEventTypes.SecretEnabled, actor, now, cancellationToken);
    }

    public async Task DeleteAsync(Application application, ClientSecret secret, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var now = time.GetUtcNow().UtcDateTime;
        db.ClientSecrets.Remove(secret);
        await CommitChangeAsync(application, secret, AuditEventTypes.SecretDeleted, actor, now, cancellationToken);
    }

    /// <summary>True when no other secret of the application can obtain tokens: losing this one stops API access.</summary>
    public async Task<bool> IsOnlyActiveSecretAsync(ClientSecret secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var now = time.GetUtcNow().UtcDateTime;
        return !await db.ClientSecrets.AnyAsync(
            s => s.ApplicationId == secret.ApplicationId && s.Id != secret.Id && s.DisabledAt == null && s.ExpiresAt > now,
            cancellationToken);
    }

    private async Task CommitChangeAsync(Application application, ClientSecret secret, string eventType, AuditActor actor,
        DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        db.RecordCredentialChange(application.Id, now);
        audit.Add(eventType, actor, $"secret '{secret.Name}' ({secret.Hint}…)",
            organisationId: application.OrganisationId, applicationId: application.Id, secretId: secret.Id);
        await QueueNotificationAsync(application, secret, eventType, actor, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Queues the email that tells the application's credential managers what happened, and audits that it was queued;
    /// the caller's save commits both with the change. Delivery (and its audit) is the outbox sender's.
    /// </summary>
    private async Task QueueNotificationAsync(Application application, ClientSecret secret, string eventType, AuditActor actor,
        DateTime now, CancellationToken cancellationToken)
    {
        var recipients = await ManagerAddresses.Of(db, application.Id).ToListAsync(cancellationToken);
        if (recipients.Count == 0)
        {
            return;
        }

        var verb = eventType switch
        {
            AuditEventTypes.SecretCreated => "created",
            AuditEventTypes.SecretDisabled => "disabled",
            AuditEventTypes.SecretEnabled => "enabled",
            _ => "deleted",
        };
        var when = now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var link = portal.CredentialsPage;
        var subject = $"Client secret {verb} – {application.Name}";
        var text = $"""
            A client secret of {application.Name} was {verb}.

            Application: {application.Name}
            Client ID:   {application.ClientId}
            Secret:      {secret.Name} ({secret.Hint}…)
            By:          {actor.Name}
            When:        {when}

            If you did not expect this change, review the application's secrets and history now:
            {link}

            You receive this message because you are a credential manager of this application.
            """;
        string Html(string value) => WebUtility.HtmlEncode(value);
        var html = $"""
            <p>A client secret of <strong>{Html(application.Name)}</strong> was <strong>{verb}</strong>.</p>
            <table>
            <tr><th align="left">Application</th><td>{Html(application.Name)}</td></tr>
            <tr><th align="left">Client ID</th><td><code>{Html(application.ClientId)}</code></td></tr>
            <tr><th align="left">Secret</th><td>{Html(secret.Name)} (<code>{Html(secret.Hint)}…</code>)</td></tr>
            <tr><th align="left">By</th><td>{Html(actor.Name)}</td></tr>
            <tr><th align="left">When</th><td>{when}</td></tr>
            </table>
            <p>If you did not expect this change, <a href="{Html(link)}">review the application's secrets and history</a> now.</p>
            <p style="color:#5b6675">You receive this message because you are a credential manager of this application.</p>
            """;
        // A new key per change: every attempt to deliver this notification carries the same Message-ID.
        var identityKey = string.Create(CultureInfo.InvariantCulture, $"security-notification/{Guid.NewGuid():N}");
        outbox.Add(new EmailMessage(recipients, subject, text, html, identityKey), OutboxEmailKind.SecurityNotification,
            application.OrganisationId, application.Id, secret.Id);
        audit.Add(AuditEventTypes.NotificationQueued, actor,
            $"\"{subject}\" for {recipients.Count} credential manager(s)",
            organisationId: application.OrganisationId, applicationId: application.Id, secretId: secret.Id);
    }
}
