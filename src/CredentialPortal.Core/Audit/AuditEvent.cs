namespace CredentialPortal.Core.Audit;

/// <summary>One security event: who did what, when (UTC), from where. Never holds a secret value.</summary>
public sealed class AuditEvent
{
    /// <summary>Longer details are cut to this length (<see cref="AuditLog"/>).</summary>
    public const int MaxDetailsLength = 2000;

    public long Id { get; set; }
    public DateTime OccurredAt { get; set; }

    /// <summary>One of <see cref="AuditEventTypes"/>.</summary>
    public required string EventType { get; set; }

    /// <summary>A user's email, a client_id, or <c>system</c>.</summary>
    public required string Actor { get; set; }

    public Guid? ActorUserId { get; set; }
    public string? RemoteAddress { get; set; }
    public int? OrganisationId { get; set; }
    public int? ApplicationId { get; set; }
    public int? CredentialId { get; set; }

    /// <summary>Short human-readable detail, e.g. the secret's name and hint.</summary>
    public string? Details { get; set; }
}

/// <summary>The event types the audit log records (docs/rules.md#audit).</summary>
public static class AuditEventTypes
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LoginLockedOut = "login.locked-out";
    public const string MfaFailed = "mfa.failed";
    public const string MfaReplay = "mfa.replay";
    public const string MfaEnrolled = "mfa.enrolled";
    public const string MfaReset = "mfa.reset";
    public const string RecoveryCodeUsed = "mfa.recovery-code-used";
    public const string RecoveryCodesRegenerated = "mfa.recovery-codes-regenerated";
    public const string PasskeyAdded = "mfa.passkey-added";

    /// <summary>
    /// An administrator's first passkey, registered under the phishing-resistant policy from a session signed in with
    /// a code (which a phishing site can relay): allowed, so that administrators can get there, but shown on the
    /// dashboard and emailed to its owner at once.
    /// </summary>
    public const string PasskeyAddedWithCode = "mfa.passkey-added-with-code";
    public const string PasskeyRenamed = "mfa.passkey-renamed";
    public const string PasskeyRemoved = "mfa.passkey-removed";
    public const string PasswordChanged = "password.changed";
    public const string PasswordReset = "password.reset";
    public const string SignedOutEverywhere = "session.signed-out-everywhere";
    public const string InvitationSent = "invitation.sent";
    public const string InvitationAccepted = "invitation.accepted";
    public const string UserCreated = "user.created";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserUnlocked = "user.unlocked";
    public const string UserChanged = "user.changed";
    public const string UserDeleted = "user.deleted";
    public const string RoleGranted = "role.granted";
    public const string RoleRevoked = "role.revoked";
    public const string OrganisationCreated = "organisation.created";
    public const string OrganisationChanged = "organisation.changed";
    public const string ApplicationCreated = "application.created";
    public const string ApplicationChanged = "application.changed";
    public const string SecretCreated = "secret.created";
    public const string SecretDisabled = "secret.disabled";
    public const string SecretEnabled = "secret.enabled";
    public const string SecretDeleted = "secret.deleted";
    public const string SecretLeaked = "secret.leaked";
    public const string SecretRotated = "secret.rotated";
    public const string KeyAdded = "key.added";
    public const string KeyDisabled = "key.disabled";
    public const string KeyEnabled = "key.enabled";
    public const string KeyDeleted = "key.deleted";
    public const string KeyRotated = "key.rotated";
    public const string FederatedIdentityAdded = "federated-identity.added";
    public const string FederatedIdentityDisabled = "federated-identity.disabled";
    public const string FederatedIdentityEnabled = "federated-identity.enabled";
    public const string FederatedIdentityDeleted = "federated-identity.deleted";
    public const string FederatedIdentityRotated = "federated-identity.rotated";
    public const string TrustedIssuerAdded = "trusted-issuer.added";
    public const string TrustedIssuerRemoved = "trusted-issuer.removed";
    public const string TokenAuthenticationFailed = "token.authentication-failed";
    public const string NotificationQueued = "notification.queued";
    public const string NotificationDelivered = "notification.delivered";
    public const string EmailFailed = "email.failed";
    public const string WebhookRegistered = "webhook.registered";
    public const string WebhookChanged = "webhook.changed";
    public const string WebhookSecretRotated = "webhook.secret-rotated";
    public const string WebhookRedelivered = "webhook.redelivered";
    public const string WebhookDisabled = "webhook.disabled";
    public const string WebhookEnabled = "webhook.enabled";
    public const string WebhookDeleted = "webhook.deleted";
    public const string WebhookFailed = "webhook.failed";
}
