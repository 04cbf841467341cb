using CredentialPortal.Core.Credentials;

namespace CredentialPortal.UnitTests.Credentials;

/// <summary>The one "unused" rule (issue 35 item 2): what the credentials page flags and the monthly digest lists.</summary>
public sealed class UnusedCredentialsTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Expires = Now.AddDays(100);
    private static readonly bool[] Expected = [true, false, true, false, false];

    [Fact]
    public void Never_used_counts_from_creation_and_flags_at_90_days_not_before()
    {
        Assert.Null(UnusedCredentials.Of(Now.AddDays(-90).AddSeconds(1), null, null, Expires, null, Now));

        var flag = UnusedCredentials.Of(Now.AddDays(-90), null, null, Expires, null, Now);

        Assert.Equal(new UnusedFlag(UnusedReason.NeverUsed, 90, Now.AddDays(-90)), flag);
        Assert.Equal("Never used in the 90 days since it was created", flag?.Describe());
    }

    [Fact]
    public void A_used_credential_counts_from_its_last_use_whatever_its_age()
    {
        Assert.Null(UnusedCredentials.Of(Now.AddDays(-300), Now.AddDays(-89), null, Expires, null, Now));

        var flag = UnusedCredentials.Of(Now.AddDays(-300), Now.AddDays(-91), null, Expires, null, Now);

        Assert.Equal(UnusedReason.NotUsedRecently, flag?.Reason);
        Assert.Equal("Not used for 91 days (last used 2026-09-01 09:00 UTC)", flag?.Describe());
    }

    [Fact]
    public void Disabled_expired_and_rotated_credentials_are_not_flagged()
    {
        var old = Now.AddDays(-200);
        Assert.Null(UnusedCredentials.Of(old, null, Now.AddDays(-1), Expires, null, Now));
        Assert.Null(UnusedCredentials.Of(old, null, null, Now, null, Now));
        Assert.Null(UnusedCredentials.Of(old, null, null, Expires, 42, Now));
    }

    [Fact]
    public void The_query_expression_is_the_same_rule()
    {
        var rule = UnusedCredentials.At(Now).Compile();
        ClientCredential[] credentials =
        [
            Secret(Now.AddDays(-90), null, null), Secret(Now.AddDays(-89), null, null), Secret(Now.AddDays(-300), Now.AddDays(-90), null),
            Secret(Now.AddDays(-300), Now.AddDays(-10), null), Secret(Now.AddDays(-300), null, Now.AddDays(-1)),
        ];

        Assert.All(credentials, c => Assert.Equal(UnusedCredentials.Of(c, Now) is not null, rule(c)));
        Assert.Equal(Expected, credentials.Select(rule));
    }

    private static ClientSecret Secret(DateTime createdAt, DateTime? lastUsedAt, DateTime? disabledAt) => new()
    {
        Name = "s", Hint = "abc", CreatedBy = "tests", CreatedAt = createdAt, LastUsedAt = lastUsedAt, DisabledAt = disabledAt, ExpiresAt = Expires,
        Hash = new byte[32],
    };
}
