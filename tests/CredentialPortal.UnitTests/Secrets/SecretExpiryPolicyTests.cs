using CredentialPortal.Core.Secrets;

namespace CredentialPortal.UnitTests.Secrets;

public sealed class SecretExpiryPolicyTests
{
    private static readonly DateTime Now = new(2026, 11, 23, 9, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void The_default_expiry_is_one_year_from_today_and_allowed()
    {
        var date = SecretExpiryPolicy.DefaultExpiryDate(Now);

        Assert.Equal(new DateOnly(2027, 11, 23), date);
        Assert.Null(SecretExpiryPolicy.Validate(date, Now));
        Assert.Null(SecretExpiryPolicy.Validate(SecretExpiryPolicy.ExpiresAtFor(date), Now));
    }

    [Theory]
    [InlineData("2027-11-24")]
    [InlineData("2030-01-01")]
    public void More_than_one_year_is_refused(string date)
    {
        Assert.Contains("at most one year", SecretExpiryPolicy.Validate(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Now));
    }

    [Theory]
    [InlineData("2026-11-23")]
    [InlineData("2026-01-01")]
    public void Today_or_the_past_is_refused(string date)
    {
        Assert.Equal("The expiry date must be after today.", SecretExpiryPolicy.Validate(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Now));
    }

    [Fact]
    public void Instants_must_be_in_the_future_and_within_a_year()
    {
        Assert.NotNull(SecretExpiryPolicy.Validate(Now, Now));
        Assert.NotNull(SecretExpiryPolicy.Validate(Now.AddYears(1).AddSeconds(1), Now));
        Assert.Null(SecretExpiryPolicy.Validate(Now.AddYears(1), Now));
        Assert.Null(SecretExpiryPolicy.Validate(Now.AddMinutes(1), Now));
    }

    // Issue 19 item 3: the page said 18 days, the email 19, for the same secret at the same moment.
    [Theory]
    [InlineData("2026-12-01T00:00:00Z", 19)]
    [InlineData("2026-12-01T09:30:00Z", 19)]
    [InlineData("2026-12-01T23:59:59Z", 19)]
    [InlineData("2026-12-19T12:00:00Z", 1)]
    [InlineData("2026-12-20T00:00:00Z", 0)]
    [InlineData("2026-12-21T08:00:00Z", -1)]
    public void Days_left_counts_UTC_calendar_days_whatever_the_time_of_day(string now, int expected)
    {
        var expiresAt = SecretExpiryPolicy.ExpiresAtFor(new DateOnly(2026, 12, 20));
        var at = DateTime.Parse(now, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

        Assert.Equal(expected, SecretExpiryPolicy.DaysLeft(expiresAt, at));
    }

    [Fact]
    public void Expiring_soon_means_fewer_than_30_calendar_days_left_and_matches_the_query_bound()
    {
        var late = new DateTime(2026, 11, 23, 23, 0, 0, DateTimeKind.Utc);
        var day30 = SecretExpiryPolicy.ExpiresAtFor(new DateOnly(2026, 12, 23));

        Assert.False(SecretExpiryPolicy.IsExpiringSoon(day30, late));
        Assert.True(SecretExpiryPolicy.IsExpiringSoon(day30.AddTicks(-1), late));
        Assert.Equal(day30, SecretExpiryPolicy.ExpiringSoonBefore(late));
    }

    [Fact]
    public void A_secret_is_active_until_it_expires_or_is_disabled()
    {
        var secret = new ClientSecret { Name = "n", Hash = new byte[32], Hint = "abc", CreatedBy = "me", ExpiresAt = Now.AddDays(1) };

        Assert.Equal(SecretStatus.Active, secret.StatusAt(Now));
        Assert.Equal(SecretStatus.Expired, secret.StatusAt(Now.AddDays(1)));
        secret.DisabledAt = Now;
        Assert.Equal(SecretStatus.Disabled, secret.StatusAt(Now));
        Assert.False(secret.IsUsableAt(Now));
    }
}
