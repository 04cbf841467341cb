namespace CredentialPortal.Core.Credentials;

/// <summary>
/// A client assertion's <c>jti</c> that was accepted, kept until the assertion expires (RFC 7523 §3, item 7): the
/// primary key makes the insert the check, so an assertion is accepted once however many token-service instances
/// share the database.
/// </summary>
public sealed class ClientAssertionUse
{
    /// <summary>Base64url SHA-256 of client_id and jti: fixed length whatever the client sent.</summary>
    public const int IdLength = 43;

    public required string Id { get; init; }

    /// <summary>The assertion's <c>exp</c>: after it, the assertion is refused anyway and the row can go.</summary>
    public DateTime ExpiresAt { get; init; }
}
