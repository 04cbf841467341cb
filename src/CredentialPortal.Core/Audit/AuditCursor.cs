using System.Globalization;

namespace CredentialPortal.Core.Audit;

/// <summary>
/// Where a page of the audit log starts or ends: an event's time and id (the log's order, the id breaking ties), written
/// as <c>{ticks}-{id}</c> in the pager's links.
/// </summary>
public readonly record struct AuditCursor(DateTime OccurredAt, long Id)
{
    public static string Of(AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return string.Create(CultureInfo.InvariantCulture, $"{row.OccurredAt.Ticks}-{row.Id}");
    }

    /// <summary>Reads a cursor; anything malformed (a hand-edited link) reads as none, which shows the newest page.</summary>
    public static AuditCursor? Parse(string? value)
    {
        var parts = value?.Split('-');
        if (parts is not [var ticks, var id]
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t > DateTime.MaxValue.Ticks
            || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
        {
            return null;
        }

        return new AuditCursor(new DateTime(t, DateTimeKind.Utc), i);
    }
}
