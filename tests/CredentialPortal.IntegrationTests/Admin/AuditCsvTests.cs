using CredentialPortal.Web.Pages.Admin.Audit;

namespace CredentialPortal.IntegrationTests.Admin;

public sealed class AuditCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-1", "\"'-1\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\t=1+1", "\"'\t=1+1\"")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("secret 'Nightly' (abc…)", "\"secret 'Nightly' (abc…)\"")]
    public void Cells_that_a_spreadsheet_would_read_as_a_formula_are_defused(string value, string cell) =>
        Assert.Equal(cell, IndexModel.Csv(value));
}
