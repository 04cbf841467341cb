using System.Globalization;
using System.Text;
using CredentialPortal.Core.Export;

namespace CredentialPortal.Core.Audit;

/// <summary>The audit log as CSV (RFC 4180), written to a stream row by row as the rows arrive.</summary>
public static class AuditCsv
{
    public const string ContentType = CsvText.ContentType;
    public const string FileName = "audit-log.csv";
    public const string Header = "occurred_at_utc,event_type,actor,remote_address,organisation,application,details\r\n";

    /// <summary>
    /// What the writer holds before it passes text on to the stream: the most an export keeps in memory besides the
    /// row being read, however many rows there are.
    /// </summary>
    public const int BufferChars = 16 * 1024;

    /// <summary>
    /// Writes the header and then each row as it is read, with asynchronous writes only (a response body refuses
    /// synchronous ones); the text reaches <paramref name="output"/> each time the buffer fills, long before the last row.
    /// </summary>
    public static async Task WriteAsync(IAsyncEnumerable<AuditRow> rows, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferChars, leaveOpen: true);
        await writer.WriteAsync(Header.AsMemory(), cancellationToken);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(Line(row).AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One row, ending in CRLF.</summary>
    public static string Line(AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return string.Join(',',
            row.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            CsvText.Cell(row.EventType), CsvText.Cell(row.Actor), CsvText.Cell(row.RemoteAddress), CsvText.Cell(row.Organisation),
            CsvText.Cell(row.Application), CsvText.Cell(row.Details)) + "\r\n";
    }
}
