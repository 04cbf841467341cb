using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Audit;

/// <summary>Where an event came from: the acting user or client, and the remote address.</summary>
public sealed record AuditActor(string Name, Guid? UserId = null, string? RemoteAddress = null)
{
    public static AuditActor System { get; } = new("system");
}

/// <summary>Adds audit events to the current unit of work, so they commit together with the change they record.</summary>
public sealed class AuditLog(CredentialPortalDbContext db, TimeProvider time)
{
    public AuditEvent Add(string eventType, AuditActor actor, string? details = null,
        int? organisationId = null, int? applicationId = null, int? credentialId = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var auditEvent = new AuditEvent
        {
            OccurredAt = time.GetUtcNow().UtcDateTime,
            EventType = eventType,
            Actor = actor.Name,
            ActorUserId = actor.UserId,
            RemoteAddress = actor.RemoteAddress,
            OrganisationId = organisationId,
            ApplicationId = applicationId,
            CredentialId = credentialId,
            Details = details is { Length: > AuditEvent.MaxDetailsLength } ? details[..AuditEvent.MaxDetailsLength] : details,
        };
        db.AuditEvents.Add(auditEvent);
        return auditEvent;
    }
}
