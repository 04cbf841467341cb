using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Dpop;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CredentialPortal.UnitTests.TokenService;

/// <summary>
/// The two pieces of DPoP state an instance keeps, on a fake clock: the used jtis (remembered at least one proof window,
/// a 60 s iat age plus 30 s skew by default) and the nonces (their window and the next, 30 s each by default).
/// </summary>
public sealed class DpopStateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
    private readonly IOptions<TokenServiceOptions> _options = Options.Create(new TokenServiceOptions());

    [Fact]
    public void A_jti_is_refused_again_for_at_least_one_proof_window_then_forgotten()
    {
        var replays = new DpopReplayCache(_options, _time);
        Assert.True(replays.TryUse("key", "jti-1"));
        Assert.False(replays.TryUse("key", "jti-1"));
        Assert.True(replays.TryUse("other key", "jti-1"));

        // Just before and after the first swap, and 89 s after the use: still remembered.
        _time.Advance(TimeSpan.FromSeconds(89));
        Assert.False(replays.TryUse("key", "jti-1"));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(replays.TryUse("key", "jti-1"));

        // Two windows on, no proof that old is accepted (its iat is too old): the entry may go.
        _time.Advance(TimeSpan.FromSeconds(91));
        Assert.True(replays.TryUse("key", "jti-2"));
        _time.Advance(TimeSpan.FromSeconds(91));
        Assert.True(replays.TryUse("key", "jti-1"));
    }

    [Fact]
    public void A_nonce_is_good_in_its_window_and_the_next_on_every_instance_sharing_the_keys_and_nothing_else_is()
    {
        var keys = new EphemeralDataProtectionProvider();
        var nonces = new DpopNonces(keys, _options, _time);
        var nonce = nonces.Current();
        Assert.Equal(nonce, nonces.Current());
        Assert.True(new DpopNonces(keys, _options, _time).IsValid(nonce));
        Assert.False(new DpopNonces(new EphemeralDataProtectionProvider(), _options, _time).IsValid(nonce));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(nonces.IsValid(nonce));
        Assert.NotEqual(nonce, nonces.Current());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(nonces.IsValid(nonce));

        Assert.False(nonces.IsValid(""));
        Assert.False(nonces.IsValid("not base64url!"));
        Assert.False(nonces.IsValid(nonce[..^2] + (nonce.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA")));
        Assert.False(nonces.IsValid(new string('A', DpopNonces.MaxNonceLength + 1)));
    }
}
