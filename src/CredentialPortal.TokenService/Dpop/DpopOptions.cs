using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.TokenService.Dpop;

/// <summary>Section <c>TokenService:Dpop</c>: sender-constrained access tokens (RFC 9449).</summary>
public sealed class DpopOptions
{
    /// <summary>
    /// Signature algorithms accepted on DPoP proofs, comma-separated (advertised as
    /// <c>dpop_signing_alg_values_supported</c>): asymmetric ones only, so that neither <c>none</c> nor a MAC can stand in
    /// for a key the client holds. ES256 is what oauth4webapi and openid-client generate by default.
    /// </summary>
    [Required, RegularExpression("^((RS|PS|ES)(256|384|512))(,(RS|PS|ES)(256|384|512))*$")]
    public string Algorithms { get; set; } = "ES256,ES384,ES512,PS256,PS384,PS512,RS256,RS384,RS512";

    public IReadOnlyList<string> AlgorithmList => Algorithms.Split(',');

    /// <summary>
    /// How old a proof's <c>iat</c> may be; also how long each instance remembers a proof's <c>jti</c>. Clients sign a
    /// proof right before each request, so a minute covers their clocks' drift and the trip.
    /// </summary>
    [Range(5, 600)]
    public int ProofMaxAgeSeconds { get; set; } = 60;

    /// <summary>How far in the future a proof's <c>iat</c> may be (a client whose clock runs ahead).</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Whether every proof must carry a nonce this service issued (<c>DPoP-Nonce</c>), and its <c>jti</c> be recorded
    /// where every instance sees it: a captured proof then cannot be replayed on another instance behind the same
    /// address, and dies with its nonce. Off by default: nonces cost each client a retry, and the shared record a
    /// group-committed insert per proof; without it the <c>jti</c> check is per instance.
    /// </summary>
    public bool RequireNonce { get; set; }

    /// <summary>
    /// How long a nonce is handed out; it is accepted for up to twice as long (the window it was issued in and the next),
    /// by every instance, since it is a MAC under the shared Data Protection keys. With nonces required this bounds, on
    /// the server's clock, how long a captured proof could be replayed on another instance. Every answer to a DPoP
    /// request carries the current nonce, so a client that keeps calling never has to retry.
    /// </summary>
    [Range(5, 3600)]
    public int NonceLifetimeSeconds { get; set; } = 30;
}
