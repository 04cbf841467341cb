using System.Text.Encodings.Web;

namespace CredentialPortal.Core.Email;

/// <summary>
/// The one HTML document every email's HTML part is set in: the same width, font, colours and header for security
/// notifications, account emails, manager assignments and reminders. Composers write only the content; the sender
/// wraps it, so no email can come out in a layout of its own. Long unbreakable values (client IDs, key thumbprints,
/// links) wrap anywhere rather than widen the message past a phone's screen; the rule sits on the container, inline,
/// because mail clients drop style sheets, and every cell inherits it.
/// </summary>
public static class EmailLayout
{
    public static string Document(string subject, string content)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(content);
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{HtmlEncoder.Default.Encode(subject)}</title></head>
            <body style="margin:0;padding:16px 0;background:#f3f5f7">
            <div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;border-radius:6px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;overflow-wrap:anywhere;word-break:break-word">
            <p style="margin:0 0 16px;font-weight:600;color:#0b5cab">{PortalText.ProductName}</p>
            {content}
            </div>
            </body>
            </html>
            """;
    }
}
