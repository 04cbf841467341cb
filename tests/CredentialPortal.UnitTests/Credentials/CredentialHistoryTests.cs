using System.Text.Encodings.Web;
using CredentialPortal.Core.Audit;
using Microsoft.AspNetCore.Html;
using CredentialPortal.Web.Credentials;

namespace CredentialPortal.UnitTests.Credentials;

/// <summary>Issue 29 item 13: one history row per change; the change's email is a detail of that row.</summary>
public sealed class CredentialHistoryTests
{
    private static readonly DateTime Start = new(2026, 12, 6, 15, 0, 0, DateTimeKind.Utc);
    private long _id;

    [Fact]
    public void Each_change_gets_its_own_emails_delivery_even_when_the_deliveries_come_after_the_next_change()
    {
        List<AuditEvent> oldestFirst =
        [
            Event(0, AuditEventTypes.SecretCreated, 7, "secret 'A' (abc…)"),
            Event(0, AuditEventTypes.NotificationQueued, 7, "\"Client secret created – App\" for 2 credential managers"),
            Event(1, AuditEventTypes.SecretDisabled, 7, "secret 'A' (abc…)"),
            Event(1, AuditEventTypes.NotificationQueued, 7, "\"Client secret disabled – App\" for 2 credential managers"),
            Event(2, AuditEventTypes.NotificationDelivered, 7, "\"Client secret created – App\" accepted by the mail server for 2 recipients after 1 attempt"),
            Event(3, AuditEventTypes.EmailFailed, 7, "SecurityNotification email \"Client secret disabled – App\" to 2 recipients was not delivered after 5 attempts: refused"),
            Event(4, AuditEventTypes.SecretEnabled, 7, "secret 'A' (abc…)"),
            Event(4, AuditEventTypes.NotificationQueued, 7, "\"Client secret enabled – App\" for 2 credential managers"),
            Event(5, AuditEventTypes.SecretCreated, 8, "secret 'B' (def…)"),
        ];

        var entries = CredentialHistory.Group([.. Enumerable.Reverse(oldestFirst)]);

        Assert.Equal([AuditEventTypes.SecretCreated, AuditEventTypes.SecretEnabled, AuditEventTypes.SecretDisabled, AuditEventTypes.SecretCreated],
            entries.Select(e => e.Event.EventType));
        Assert.Null(entries[0].EmailStatus);
        Assert.Equal("Email to the credential managers queued, not delivered yet.", Html(entries[1].EmailStatus));
        Assert.Equal("The email to the credential managers could not be delivered.", Html(entries[2].EmailStatus));
        Assert.Equal("Credential managers emailed at <time datetime=\"2026-12-06T15:02:00Z\">2026-12-06 15:02 UTC</time>.", Html(entries[3].EmailStatus));
        Assert.Contains("for 2 credential managers", entries[3].EmailDetails, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delivery_whose_change_fell_out_of_the_window_stays_a_row_of_its_own()
    {
        var delivered = Event(2, AuditEventTypes.NotificationDelivered, 7, "\"Client secret created – App\" accepted by the mail server");

        var entry = Assert.Single(CredentialHistory.Group([delivered]));

        Assert.Same(delivered, entry.Event);
    }

    private static string Html(IHtmlContent? content)
    {
        using var writer = new StringWriter();
        content!.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    private AuditEvent Event(int minutes, string type, int credentialId, string details) => new()
    {
        Id = ++_id,
        OccurredAt = Start.AddMinutes(minutes),
        EventType = type,
        Actor = "jane@example.org",
        ApplicationId = 1,
        CredentialId = credentialId,
        Details = details,
    };
}
