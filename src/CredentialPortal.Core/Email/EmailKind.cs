namespace CredentialPortal.Core.Email;

/// <summary>What an email in the outbox is; stored with it (<see cref="Outbox.OutboxMessage.EmailKind"/>) and used by its delivery checks, audit and metrics.</summary>
public enum EmailKind
{
    SecurityNotification = 0,
    Invitation = 1,
    PasswordReset = 2,
    ManagerRole = 3,
    Reminder = 4,
    AuthenticatorReset = 5,

    /// <summary>The monthly list of a credential manager's unused credentials.</summary>
    UnusedCredentialsDigest = 6,
}
