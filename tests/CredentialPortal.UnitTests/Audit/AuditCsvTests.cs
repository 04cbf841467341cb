using CredentialPortal.Core.Export;
using CredentialPortal.Core.Audit;

namespace CredentialPortal.UnitTests.Audit;

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
        Assert.Equal(cell, CsvText.Cell(value));

    [Fact]
    public void A_row_is_one_line_with_the_time_in_utc_and_empty_cells_for_what_it_lacks() =>
        Assert.Equal("2026-03-01T09:05:07Z,\"secret.created\",\"'=cmd\"\"\",,\"Acme\",,\"'-x\"\r\n",
            AuditCsv.Line(new AuditRow(1, new DateTime(2026, 3, 1, 9, 5, 7, DateTimeKind.Utc), "secret.created", "=cmd\"", null, "Acme", null, "-x")));
}
