using CredentialPortal.Core.Email;

namespace CredentialPortal.UnitTests.Email;

public sealed class EmailTextTests
{
    [Theory]
    [InlineData("Production key 2027", "Production key 2027")]
    [InlineData("server01.matchis.nl", "server01[.]matchis[.]nl")]
    [InlineData("Sign in at https://evil.example/x", "Sign in at https[:]//evil[.]example/x")]
    [InlineData("write to help@evil.example", "write to help[at]evil[.]example")]
    [InlineData("v1.2 … done.", "v1[.]2 … done.")]
    public void A_name_keeps_its_words_but_loses_what_makes_a_link(string name, string shown) =>
        Assert.Equal(shown, EmailText.Name(name));

    [Fact]
    public void A_long_name_is_cut_to_forty_characters()
    {
        var shown = EmailText.Name("Your account is locked. Call +31 20 555 0100 to keep API access " + new string('!', 50));

        Assert.Equal("Your account is locked. Call +31 20 555…", shown);
        Assert.True(shown.Replace("[.]", ".", StringComparison.Ordinal).Length <= EmailText.MaxNameLength + 1);
    }
}
