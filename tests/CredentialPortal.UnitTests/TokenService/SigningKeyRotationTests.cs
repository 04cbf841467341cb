using CredentialPortal.Core.Signing;
using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Signing;

namespace CredentialPortal.UnitTests.TokenService;

/// <summary>The signing keys' schedule on times alone: 10-day rotation, published 2 days ahead, 1-hour tokens, 5-minute rereads.</summary>
public sealed class SigningKeyRotationTests
{
    private static readonly DateTime T0 = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly SigningKeyRotation Rotation = SigningKeyRotation.From(new TokenServiceOptions
    {
        Algorithm = "RS256", KeyRotationDays = 10, KeyPublishAheadDays = 2, LifetimeSeconds = 3600, KeyRefreshSeconds = 300,
    });

    private static readonly TimeSpan UnpublishAfterRetiring = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5);

    [Fact]
    public void Without_keys_one_that_signs_from_now_is_missing_published_until_its_last_token_expired()
    {
        var window = Assert.Single(Rotation.Missing([], T0));

        Assert.Equal(new KeyWindow(T0, T0.AddDays(10), T0.AddDays(10) + UnpublishAfterRetiring), window);
    }

    [Fact]
    public void The_successor_is_missing_from_the_publish_ahead_day_on_and_signs_from_the_retirement()
    {
        var first = Key("first", activatesAt: T0);

        Assert.Empty(Rotation.Missing([first], T0.AddDays(8).AddTicks(-1)));
        var successor = Assert.Single(Rotation.Missing([first], T0.AddDays(8)));
        Assert.Equal(new KeyWindow(T0.AddDays(10), T0.AddDays(20), T0.AddDays(20) + UnpublishAfterRetiring), successor);
        Assert.Empty(Rotation.Missing([first, Key("second", activatesAt: T0.AddDays(10))], T0.AddDays(9)));
        Assert.True(Rotation.NeedsNewKey([first], T0.AddDays(9)));
        Assert.False(Rotation.NeedsNewKey([first], T0.AddDays(1)));
    }

    [Fact]
    public void A_first_key_whose_successor_is_already_due_comes_with_it()
    {
        var rotation = SigningKeyRotation.From(new TokenServiceOptions { Algorithm = "ES256", KeyRotationDays = 1, KeyPublishAheadDays = 7 });

        Assert.Equal([T0, T0.AddDays(1)], rotation.Missing([], T0).Select(w => w.ActivatesAt));
    }

    [Fact]
    public void The_latest_activated_key_of_the_configured_algorithm_signs_until_it_retires()
    {
        var first = Key("first", activatesAt: T0);
        var second = Key("second", activatesAt: T0.AddDays(10));
        var other = Key("other", activatesAt: T0.AddDays(1), algorithm: "ES256");
        var overlapping = Key("overlapping", activatesAt: T0.AddDays(2));

        Assert.Null(Rotation.Active([first], T0.AddTicks(-1)));
        Assert.Same(first, Rotation.Active([first, second, other], T0.AddDays(3)));
        Assert.Same(overlapping, Rotation.Active([first, overlapping, other], T0.AddDays(3)));
        Assert.Same(second, Rotation.Active([first, second], T0.AddDays(10)));
        Assert.Null(Rotation.Active([first, other], T0.AddDays(10)));
        Assert.Single(Rotation.Missing([first, other], T0.AddDays(10)));
    }

    [Fact]
    public void Published_are_the_keys_created_and_not_yet_unpublished_oldest_first()
    {
        var first = Key("first", activatesAt: T0);
        var second = Key("second", activatesAt: T0.AddDays(10), createdAt: T0.AddDays(8));

        Assert.Equal([first], SigningKeyRotation.Published([second, first], T0.AddDays(7)));
        Assert.Equal([first, second], SigningKeyRotation.Published([second, first], T0.AddDays(10)));
        Assert.Equal([first, second], SigningKeyRotation.Published([second, first], T0.AddDays(10) + UnpublishAfterRetiring - TimeSpan.FromTicks(1)));
        Assert.Equal([second], SigningKeyRotation.Published([second, first], T0.AddDays(10) + UnpublishAfterRetiring));
    }

    [Fact]
    public void Keys_are_reread_every_refresh_interval_and_no_later_than_the_successor_is_due_or_the_key_retires()
    {
        var first = Key("first", activatesAt: T0);

        Assert.Equal(T0.AddMinutes(5), Rotation.RefreshAt(first, T0));
        Assert.Equal(T0.AddDays(8), Rotation.RefreshAt(first, T0.AddDays(8).AddMinutes(-1)));
        Assert.Equal(T0.AddDays(9).AddMinutes(5), Rotation.RefreshAt(first, T0.AddDays(9)));
        Assert.Equal(T0.AddDays(10), Rotation.RefreshAt(first, T0.AddDays(10).AddMinutes(-2)));
    }

    [Fact]
    public void After_an_outage_the_keys_are_retried_in_thirty_seconds_but_not_after_the_signing_key_retires()
    {
        Assert.Equal(T0.AddSeconds(30), SigningKeyRotation.RetryAfterOutage(T0, T0.AddDays(1)));
        Assert.Equal(T0.AddSeconds(10), SigningKeyRotation.RetryAfterOutage(T0, T0.AddSeconds(10)));
    }

    private static SigningKey Key(string id, DateTime activatesAt, string algorithm = "RS256", DateTime? createdAt = null) => new()
    {
        Id = id,
        Algorithm = algorithm,
        CreatedAt = createdAt ?? activatesAt,
        ActivatesAt = activatesAt,
        RetiresAt = activatesAt.AddDays(10),
        UnpublishAt = activatesAt.AddDays(10) + UnpublishAfterRetiring,
        ProtectedPrivateKey = "",
        PublicJwk = "{}",
    };
}
