using CredentialPortal.Core.Users;

namespace CredentialPortal.UnitTests.Users;

public sealed class PasswordRulesTests
{
    private static readonly PortalUser Someone = new() { Email = "someone@example.org", UserName = "someone@example.org" };

    [Theory]
    [InlineData("password1234")]
    [InlineData("PASSWORD1234")]
    [InlineData("qwertyuiop123")]
    [InlineData("123456789012")]
    [InlineData("iloveyou1234")]
    public async Task Refuses_common_passwords_in_any_case(string password)
    {
        var result = await new PasswordRules().ValidateAsync(null!, Someone, password);

        Assert.False(result.Succeeded);
        Assert.Equal("PasswordTooCommon", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public async Task Refuses_more_than_128_characters_and_the_users_email()
    {
        var rules = new PasswordRules();

        Assert.False((await rules.ValidateAsync(null!, Someone, new string('a', 100) + "b cd efgh ijkl mnop qrst uvwx yz 0123")).Succeeded);
        Assert.False((await rules.ValidateAsync(null!, Someone, "Someone@Example.org")).Succeeded);
        Assert.True((await rules.ValidateAsync(null!, Someone, new string('q', 120) + " abcdefg")).Succeeded);
    }

    [Theory]
    [InlineData("correct horse battery staple admin")]
    [InlineData("plum tractor window seventeen")]
    [InlineData("lowercaseonlylongpassword")]
    public async Task Accepts_long_passwords_without_composition_rules(string password) =>
        Assert.True((await new PasswordRules().ValidateAsync(null!, Someone, password)).Succeeded);

    [Fact]
    public void The_shipped_list_is_loaded() => Assert.True(PasswordRules.IsCommon("passwordpassword"));
}
