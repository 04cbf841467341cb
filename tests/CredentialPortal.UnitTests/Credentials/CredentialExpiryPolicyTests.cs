using CredentialPortal.Core.Credentials;

namespace CredentialPortal.UnitTests.Credentials;

public sealed class CredentialExpiryPolicyTests
{
    private static readonly DateTime Now = new(2026, 11, 23, 9, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void The_default_expiry_is_one_year_from_today_and_allowed()
    {
        var date = CredentialExpiryPolicy.DefaultExpiryDate(Now);

        Assert.Equal(new DateOnly(2027, 11, 23), date);
        Assert.Null(CredentialExpiryPolicy.Validate(CredentialKind.Secret, date, Now));
        Assert.Null(CredentialExpiryPolicy.Validate(CredentialKind.Secret, CredentialExpiryPolicy.ExpiresAtFor(date), Now));
    }

    [Theory]
    [InlineData("2027-11-24")]
    [InlineData("2030-01-01")]
    public void More_than_one_year_is_refused(string date)
    {
        Assert.Contains("at most one year", CredentialExpiryPolicy.Validate(CredentialKind.Secret, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Now));
    }

    [Fact]
    public void The_refusal_names_the_kind_of_credential()
    {
        var tooLate = DateOnly.FromDateTime(Now).AddYears(1).AddDays(1);
        Assert.Equal("A secret can be valid for at most one year (until 2027-11-23).", CredentialExpiryPolicy.Validate(CredentialKind.Secret, tooLate, Now));
        Assert.Equal("A key can be valid for at most one year (until 2027-11-23).", CredentialExpiryPolicy.Validate(CredentialKind.Key, tooLate, Now));
        Assert.Equal("A key can be valid for at most one year.", CredentialExpiryPolicy.Validate(CredentialKind.Key, Now.AddYears(1).AddDays(1), Now));
    }

    [Theory]
    [InlineData("2026-11-23")]
    [InlineData("2026-01-01")]
    public void Today_or_the_past_is_refused(string date)
    {
        Assert.Equal("The expiry date must be after today.", CredentialExpiryPolicy.Validate(CredentialKind.Secret, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Now));
    }

    [Fact]
    public void Instants_must_be_in_the_future_and_within_a_year()
    {
        Assert.NotNull(CredentialExpiryPolicy.Validate(CredentialKind.Secret, Now, Now));
        Assert.NotNull(CredentialExpiryPolicy.Validate(CredentialKind.Secret, Now.AddYears(1).AddSeconds(1), Now));
        Assert.Null(CredentialExpiryPolicy.Validate(CredentialKind.Secret, Now.AddYears(1), Now));
        Assert.Null(CredentialExpiryPolicy.Validate(CredentialKind.Secret, Now.AddMinutes(1), Now));
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
        var expiresAt = CredentialExpiryPolicy.ExpiresAtFor(new DateOnly(2026, 12, 20));
        var at = DateTime.Parse(now, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

        Assert.Equal(expected, CredentialExpiryPolicy.DaysLeft(expiresAt, at));
    }

    [Fact]
    public void Expiring_soon_means_fewer_than_30_calendar_days_left_and_matches_the_query_bound()
    {
        var late = new DateTime(2026, 11, 23, 23, 0, 0, DateTimeKind.Utc);
        var day30 = CredentialExpiryPolicy.ExpiresAtFor(new DateOnly(2026, 12, 23));

        Assert.False(CredentialExpiryPolicy.IsExpiringSoon(day30, late));
        Assert.True(CredentialExpiryPolicy.IsExpiringSoon(day30.AddTicks(-1), late));
        Assert.Equal(day30, CredentialExpiryPolicy.ExpiringSoonBefore(late));
    }

    [Fact]
    public void A_secret_is_active_until_it_expires_or_is_disabled()
    {
        var secret = new ClientSecret { Name = "n", Hash = new byte[32], Hint = "abc", CreatedBy = "me", ExpiresAt = Now.AddDays(1) };

        Assert.Equal(CredentialStatus.Active, secret.StatusAt(Now));
        Assert.Equal(CredentialStatus.Expired, secret.StatusAt(Now.AddDays(1)));
        secret.DisabledAt = Now;
        Assert.Equal(CredentialStatus.Disabled, secret.StatusAt(Now));
        Assert.False(secret.IsUsableAt(Now));
    }

    [Fact]
    public void The_presets_are_30_90_and_365_days_and_none_beyond_the_maximum()
    {
        Assert.Equal([(30, new DateOnly(2026, 12, 23)), (90, new DateOnly(2027, 2, 21)), (365, new DateOnly(2027, 11, 23))], CredentialExpiryPolicy.Presets(Now));
        Assert.All(CredentialExpiryPolicy.Presets(Now), p => Assert.Null(CredentialExpiryPolicy.Validate(CredentialKind.Secret, p.Date, Now)));
    }

    [Fact]
    public void Each_kind_may_hold_what_the_shared_limit_leaves_beside_the_other_kinds()
    {
        var held = new Dictionary<CredentialKind, int> { [CredentialKind.Secret] = 2, [CredentialKind.Key] = 1 };

        Assert.Equal(9, CredentialRules.LimitFor(10, held, CredentialKind.Secret));
        Assert.Equal(8, CredentialRules.LimitFor(10, held, CredentialKind.Key));
        Assert.Equal(10, CredentialRules.LimitFor(10, new Dictionary<CredentialKind, int>(), CredentialKind.Key));
    }
}
