using CredentialPortal.Web.Account;

namespace CredentialPortal.UnitTests.Account;

public sealed class RecoveryCodeTests
{
    [Theory]
    [InlineData("BCDFG-23456", "BCDFG-23456")]
    [InlineData("bcdfg23456", "BCDFG-23456")]
    [InlineData(" bc dfg 234 56 ", "BCDFG-23456")]
    [InlineData("bcdfg - 23456", "BCDFG-23456")]
    [InlineData("BCDFG_23456", "BCDFG-23456")]
    [InlineData("bcd", "BCD")]
    [InlineData("", "")]
    public void A_code_is_compared_in_its_stored_form(string typed, string normalised) =>
        Assert.Equal(normalised, RecoveryCode.Normalise(typed));
}
