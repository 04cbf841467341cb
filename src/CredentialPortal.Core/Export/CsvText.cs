namespace CredentialPortal.Core.Export;

/// <summary>CSV (RFC 4180) as the exports write it: every field quoted, and safe to open in a spreadsheet.</summary>
public static class CsvText
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>
    /// Quotes a field, and defuses spreadsheet formulas: a cell starting with = + - @, or with a tab or carriage return
    /// (which spreadsheets skip before looking for a formula), gets a leading apostrophe.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>One row of fields, each through <see cref="Cell"/>, ending in CRLF.</summary>
    public static string Line(params IEnumerable<string?> fields) => string.Join(',', fields.Select(Cell)) + "\r\n";
}
