using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using Microsoft.AspNetCore.Html;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// One row of an application's history: an event, and for a credential change the security email it caused — queued with
/// the change, then delivered or given up — as a detail of that row rather than two rows of its own.
/// </summary>
public sealed record HistoryEntry(AuditEvent Event)
{
    public AuditEvent? EmailQueued { get; internal set; }
    public AuditEvent? EmailDelivered { get; internal set; }
    public AuditEvent? EmailFailed { get; internal set; }

    /// <summary>What became of the change's email, or null when the change caused none (no manager to tell).</summary>
    public IHtmlContent? EmailStatus =>
        EmailDelivered is { } delivered ? new HtmlContentBuilder().AppendHtml("Credential managers emailed at ").AppendHtml(Dates.DateTime(delivered.OccurredAt)).AppendHtml(".")
        : EmailFailed is not null ? new HtmlString("The email to the credential managers could not be delivered.")
        : EmailQueued is not null ? new HtmlString("Email to the credential managers queued, not delivered yet.")
        : null;

    /// <summary>The email's audit records in full (recipients, attempts), for the row's hover text.</summary>
    public string EmailDetails => string.Join(" · ", new[] { EmailQueued, EmailDelivered, EmailFailed }.Where(e => e?.Details is not null).Select(e => e!.Details));
}

public static class CredentialHistory
{
    private static readonly HashSet<string> CredentialChanges = CredentialKinds.All
        .Select(kind => kind.Words().Events)
        .SelectMany(events => new[] { events.Created, events.Disabled, events.Enabled, events.Deleted, events.Leaked })
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Folds each credential change's email events into the change's row. The queued event belongs to the change recorded
    /// just before it for the same credential (one transaction); the delivery or failure to the queued email with the same
    /// credential and subject (the subject names the change: "Client secret disabled – …"), first queued first.
    /// Events the window cut from their change stay rows of their own.
    /// </summary>
    public static IReadOnlyList<HistoryEntry> Group(IReadOnlyList<AuditEvent> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var entries = new List<HistoryEntry>();
        var lastChange = new Dictionary<int, HistoryEntry>();
        var awaitingDelivery = new Dictionary<(int, string), Queue<HistoryEntry>>();
        foreach (var e in newestFirst.Reverse())
        {
            if (e.CredentialId is { } credentialId && Subject(e.Details) is { } subject)
            {
                if (e.EventType == AuditEventTypes.NotificationQueued && lastChange.Remove(credentialId, out var change))
                {
                    change.EmailQueued = e;
                    awaitingDelivery.TryAdd((credentialId, subject), new Queue<HistoryEntry>());
                    awaitingDelivery[(credentialId, subject)].Enqueue(change);
                    continue;
                }

                if (e.EventType is AuditEventTypes.NotificationDelivered or AuditEventTypes.EmailFailed
                    && awaitingDelivery.TryGetValue((credentialId, subject), out var queued) && queued.TryDequeue(out var sent))
                {
                    if (e.EventType == AuditEventTypes.NotificationDelivered)
                    {
                        sent.EmailDelivered = e;
                    }
                    else
                    {
                        sent.EmailFailed = e;
                    }

                    continue;
                }
            }

            var entry = new HistoryEntry(e);
            entries.Add(entry);
            if (e.CredentialId is { } changed && CredentialChanges.Contains(e.EventType))
            {
                lastChange[changed] = entry;
            }
        }

        entries.Reverse();
        return entries;
    }

    /// <summary>The email's subject: the first quoted text of an email event's details.</summary>
    private static string? Subject(string? details)
    {
        var start = details?.IndexOf('"', StringComparison.Ordinal) ?? -1;
        var end = start < 0 ? -1 : details!.IndexOf('"', start + 1);
        return end < 0 ? null : details![(start + 1)..end];
    }
}
