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

    [Fact]
    public void Days_left_rounds_down_and_goes_negative_after_expiry()
    {
        Assert.Equal(29, SecretExpiryPolicy.DaysLeft(Now.AddDays(29.9), Now));
        Assert.Equal(0, SecretExpiryPolicy.DaysLeft(Now.AddHours(5), Now));
        Assert.Equal(-1, SecretExpiryPolicy.DaysLeft(Now.AddHours(-5), Now));
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
