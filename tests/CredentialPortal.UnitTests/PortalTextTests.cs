using CredentialPortal.Core;
using CredentialPortal.Web.Credentials;

namespace CredentialPortal.UnitTests;

/// <summary>Issue 29 items 12 and 15: one date format with its zone on pages and in emails; proper plurals; names in alphabetical order.</summary>
public sealed class PortalTextTests
{
    private static readonly DateTime Instant = new(2026, 12, 6, 15, 3, 42, DateTimeKind.Utc);

    [Fact]
    public void An_instant_reads_with_its_zone_in_one_unambiguous_format()
    {
        Assert.Equal("2026-12-06 15:03 UTC", PortalText.Time(Instant));
        Assert.Equal("2026-12-06 15:03 UTC", PortalText.Time(new DateTimeOffset(2026, 12, 6, 16, 3, 0, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void Pages_render_the_same_text_and_nothing_for_a_script_to_rewrite_in_a_locale()
    {
        var html = Dates.DateTime(Instant).ToString();

        Assert.Equal("<time datetime=\"2026-12-06T15:03:42Z\">2026-12-06 15:03 UTC</time>", html);
        Assert.Contains("title=\"2026-12-06 15:03 UTC\"", Dates.Relative(Instant, Instant.AddDays(3)).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 secrets")]
    [InlineData(1, "1 secret")]
    [InlineData(2, "2 secrets")]
    public void Counts_use_the_singular_for_one_and_the_plural_otherwise(int count, string text) =>
        Assert.Equal(text, PortalText.Count(count, "secret"));

    [Fact]
    public void An_irregular_plural_is_given() => Assert.Equal("2 people", PortalText.Count(2, "person", "people"));

    [Fact]
    public void Names_sort_alphabetically_whatever_their_accents_and_case()
    {
        string[] names = ["Czechia", "Ärzte ohne Grenzen", "Zorg", "Côte d'Ivoire", "abc", "Åland Islands", "Curaçao"];

        Assert.Equal(["abc", "Åland Islands", "Ärzte ohne Grenzen", "Côte d'Ivoire", "Curaçao", "Czechia", "Zorg"], names.OrderByName(n => n));
    }
}
