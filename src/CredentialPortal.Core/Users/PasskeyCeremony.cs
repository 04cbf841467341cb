namespace CredentialPortal.Core.Users;

/// <summary>
/// A WebAuthn ceremony (passkey registration or sign-in) that was started but not finished: Identity's state for it
/// (the challenge, and the user it is for). The browser holds only the id, in a cookie. Finishing deletes the row,
/// and only the request whose delete removed it goes on, so a challenge is used once, on every instance.
/// </summary>
public sealed class PasskeyCeremony
{
    public const int MaxStateLength = 4000;

    public Guid Id { get; set; }

    /// <summary>Identity's operation name: <c>Attestation</c> (registration) or <c>Assertion</c> (sign-in).</summary>
    public required string Operation { get; set; }

    /// <summary>Identity's serialized attestation or assertion state.</summary>
    public required string State { get; set; }

    public DateTime ExpiresAt { get; set; }
}
