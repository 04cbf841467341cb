using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Organisations;

namespace CredentialPortal.UnitTests.Applications;

public sealed class ApplicationNameTests
{
    [Theory]
    [InlineData("NL", "DemoOrg", "DM", false, "Partner-NL-DemoOrg-DM")]
    [InlineData("nl", "Demo Org B.V.", "SMC", true, "PartnerAlternative-NL-DemoOrgBV-SMC")]
    public void Proposes_the_conventional_name(string country, string organisation, string api, bool sandbox, string expected)
    {
        var name = ApplicationName.Propose(country, organisation, api, sandbox);

        Assert.Equal(expected, name);
        Assert.Null(ApplicationName.Validate(name, sandbox));
    }

    [Theory]
    [InlineData("Partner-NL-DemoOrg-DM", false)]
    [InlineData("Partner-DE-Org42-SMC", false)]
    [InlineData("PartnerAlternative-NL-DemoOrg-SMC", true)]
    public void Accepts_names_that_follow_the_convention(string name, bool sandbox) =>
        Assert.Null(ApplicationName.Validate(name, sandbox));

    [Theory]
    [InlineData("DemoOrg-DM", false, "must follow")]
    [InlineData("Partner-NLD-DemoOrg-DM", false, "must follow")]
    [InlineData("Partner-XX-DemoOrg-DM", false, "not an ISO 3166-1")]
    [InlineData("Partner-NL-DemoOrg-XYZ", false, "not a known API code")]
    [InlineData("Partner-NL-Demo Org-DM", false, "must follow")]
    [InlineData("PartnerAlternative-NL-DemoOrg-SMC", false, "Only sandbox-only")]
    [InlineData("Partner-NL-DemoOrg-SMC", true, "starts with PartnerAlternative")]
    public void Rejects_names_that_break_it(string name, bool sandbox, string message) =>
        Assert.Contains(message, ApplicationName.Validate(name, sandbox));

    [Fact]
    public void Country_codes_are_the_real_iso_list()
    {
        Assert.Equal(249, CountryCodes.Names.Count);
        Assert.Equal("Netherlands", CountryCodes.NameOf("NL"));
        Assert.False(CountryCodes.IsValid("XX"));
        Assert.False(CountryCodes.IsValid("nl"));
    }

    [Fact]
    public void Sandbox_scopes_are_marked()
    {
        Assert.Equal("search-match", ApiCatalog.ScopeFor("search-match", ApiEnvironment.Production));
        Assert.Equal("search-match:sandbox", ApiCatalog.ScopeFor("search-match", ApiEnvironment.Sandbox));
    }
}
