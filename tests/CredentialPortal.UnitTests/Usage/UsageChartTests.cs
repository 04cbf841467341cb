using CredentialPortal.Web.Credentials;

namespace CredentialPortal.UnitTests.Usage;

public sealed class UsageChartTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(1_234, 2_000)]
    [InlineData(43_000, 50_000)]
    [InlineData(500_001, 1_000_000)]
    public void The_axis_maximum_is_one_two_or_five_times_a_power_of_ten_at_least_the_largest_value(long largest, long maximum) =>
        Assert.Equal(maximum, UsageChart.NiceCeiling(largest));

    [Theory]
    [InlineData(1, "1")]
    [InlineData(500, "500")]
    [InlineData(2_000, "2k")]
    [InlineData(50_000, "50k")]
    [InlineData(1_000_000, "1M")]
    [InlineData(20_000_000, "20M")]
    [InlineData(1_500, "1,500")]
    public void Axis_labels_are_short_and_exact(long value, string label) => Assert.Equal(label, UsageChart.Tick(value));
}
