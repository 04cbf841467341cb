using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Dpop;

/// <summary>
/// The <c>jti</c>s of the DPoP proofs this instance accepted (RFC 9449 §11.1), per key, for as long as a proof can be
/// accepted at all (its <c>iat</c> window). In memory, so that the common case costs no database round trip; with
/// <see cref="DpopOptions.RequireNonce"/> the validator also records the jti in the shared replay store, which stops a
/// replay on another instance. Two generations, each as long as the window: an entry lives
/// between one and two windows, and forgetting is a swap, not a sweep. Entries are 128-bit hashes, so a client's long
/// jtis cost no more memory than short ones.
/// </summary>
public sealed class DpopReplayCache(IOptions<TokenServiceOptions> options, TimeProvider time)
{
    private readonly TimeSpan _window = TimeSpan.FromSeconds(options.Value.Dpop.ProofMaxAgeSeconds + options.Value.Dpop.ClockSkewSeconds);
    private readonly Lock _gate = new();
    private HashSet<UInt128> _current = [];
    private HashSet<UInt128> _previous = [];
    private DateTimeOffset _currentSince = time.GetUtcNow();

    /// <summary>Records the proof's use; false when this key's proof with this jti was accepted before.</summary>
    public bool TryUse(string thumbprint, string jti)
    {
        var id = BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(thumbprint + "\n" + jti)));
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _currentSince >= _window)
            {
                // The current generation may hold a use from a moment ago: it is kept one more window.
                _previous = _current;
                _current = [];
                _currentSince = now;
            }

            return !_previous.Contains(id) && _current.Add(id);
        }
    }
}
