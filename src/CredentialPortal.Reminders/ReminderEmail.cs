using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CredentialPortal.Core;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Email;

namespace CredentialPortal.Reminders;

/// <summary>What a reminder says about one credential. Holds no secret value: the store has only a secret's hash and hint.</summary>
public sealed record ReminderEmailModel(
    int CredentialId,
    string ApplicationName,
    string ClientId,
    string CredentialName,
    string CredentialHint,
    CredentialKind Kind,
    DateTime ExpiresAt,
    DateTime Now,
    ReminderSlot Slot,
    bool Replaced,
    string CredentialsPage);

/// <summary>Composes the reminder emails: a subject, a plain-text body and an HTML alternative (every value encoded).</summary>
public static class ReminderEmail
{

    private const string KeyPrefix = "reminder/";

    public static EmailMessage Compose(ReminderEmailModel model, IReadOnlyList<string> to)
    {
        ArgumentNullException.ThrowIfNull(model);
        var content = new Content(model);
        return new EmailMessage(to, content.Subject, content.Text(), content.Html(), IdentityKey(model.CredentialId, model.Slot));
    }

    /// <summary>
    /// One reminder per credential and slot: the outbox's unique identity key, so inserting the email claims the slot (once,
    /// however many instances try), and a retry of it is the same email (the same Message-ID).
    /// </summary>
    public static string IdentityKey(int credentialId, ReminderSlot slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{credentialId}/{slot.Name}");

    public static bool TryParseIdentityKey(string? key, out int credentialId, out ReminderSlot slot)
    {
        credentialId = 0;
        slot = default;
        var parts = key?.Split('/');
        return parts is [_, var id, var name] && key!.StartsWith(KeyPrefix, StringComparison.Ordinal)
            && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out credentialId)
            && ReminderSlot.TryParse(name, out slot);
    }

    /// <summary>The sentences of one email, shared by the text and HTML renderings.</summary>
    private sealed class Content
    {
        private readonly ReminderEmailModel _model;

        public Content(ReminderEmailModel model)
        {
            _model = model;
            var name = EmailText.Name(model.CredentialName);
            var application = OneLine(model.ApplicationName);
            var daysLeft = CredentialExpiryPolicy.DaysLeft(model.ExpiresAt, model.Now);
            var expires = PortalText.Time(model.ExpiresAt);
            Credential = $"{name} ({Hint})";
            Link = model.CredentialsPage;
            var words = model.Kind.Words();
            var (noun, newOne, create, use, rotate) = (words.FullNoun, words.Noun, words.Rotation.Create, words.Rotation.Use, words.Rotation.InShort);
            var title = words.FullLabel;
            var confirm = $"Confirm connectivity: the new {newOne}'s \"last used\" appears in the portal once your system has obtained a token with it.";
            Rotate = rotate;
            if (model.Slot.IsFinalNotice)
            {
                Subject = $"{title} \"{name}\" of {application} has expired: API access has stopped";
                ExpiryLine = $"{expires} (expired)";
                Lead = $"The {noun} \"{name}\" ({Hint}) of the application {application} expired at {expires}. "
                    + $"The application has no other active secret or key: API access has stopped. It resumes once the application has a new {newOne} and your system uses it.";
                Steps = [create, use, confirm, $"Delete the expired {newOne}."];
                return;
            }

            var when = daysLeft switch
            {
                0 => "today",
                1 => "in 1 day",
                _ => $"in {daysLeft.ToString(CultureInfo.InvariantCulture)} days",
            };
            Subject = model.Replaced
                ? $"Old {noun} \"{name}\" of {application} expires {when}"
                : $"{title} \"{name}\" of {application} expires {when}";
            ExpiryLine = $"{expires} ({when})";
            Lead = $"The {noun} \"{name}\" ({Hint}) of the application {application} expires {when}, at {expires}. "
                + "From then on it no longer obtains access tokens.";
            if (model.Replaced)
            {
                Note = "The application already has a newer secret or key. If your system uses it, finish the rotation: "
                    + $"deleting the old {newOne} stops further reminders about it.";
                Steps =
                [
                    "Make sure your system uses the newer secret or key.",
                    $"Confirm connectivity: the newer one's \"last used\" appears in the portal once your system has obtained a token with it.",
                    $"Disable the old {newOne}, then delete it.",
                ];
            }
            else
            {
                Steps = [create, use, confirm, $"Disable the old {newOne}, then delete it."];
            }
        }

        private string Rotate { get; }

        public string Subject { get; }
        private string Hint => _model.Kind.Words().DisplayHint(OneLine(_model.CredentialHint));
        private string Credential { get; }
        private string ExpiryLine { get; }
        private string Lead { get; }
        private string? Note { get; }
        private string[] Steps { get; }
        private string Link { get; }
        private string Heading => _model.Slot.IsFinalNotice ? "What to do now:" : $"What to do: {Rotate} before it expires.";

        private const string Footer = "You receive this email as a credential manager or a notification address of the application, "
            + "or as an administrator of an application without either. This email never contains a secret value or a private key.";

        public string Text()
        {
            var text = new StringBuilder();
            text.AppendLine("Hello,").AppendLine();
            text.AppendLine(Lead).AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Application:  {OneLine(_model.ApplicationName)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Client ID:    {OneLine(_model.ClientId)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{_model.Kind.Words().Label + ":",-13} {Credential}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Expires:      {ExpiryLine}").AppendLine();
            if (Note is not null)
            {
                text.AppendLine(Note).AppendLine();
            }

            text.AppendLine(Heading);
            for (var i = 0; i < Steps.Length; i++)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {Steps[i]}");
            }

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Manage the application's credentials: {Link}").AppendLine();
            text.AppendLine(Footer);
            return text.ToString();
        }

        public string Html()
        {
            var e = HtmlEncoder.Default;
            var html = new StringBuilder();
            html.AppendLine("<p>Hello,</p>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>{e.Encode(Lead)}</p>");
            html.AppendLine("<table>");
            Row("Application", OneLine(_model.ApplicationName));
            Row("Client ID", OneLine(_model.ClientId));
            Row(_model.Kind.Words().Label, Credential);
            Row("Expires", ExpiryLine);
            html.AppendLine("</table>");
            if (Note is not null)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p><strong>{e.Encode(Note)}</strong></p>");
            }

            html.AppendLine(CultureInfo.InvariantCulture, $"<p>{e.Encode(Heading)}</p>");
            html.AppendLine("<ol>");
            foreach (var step in Steps)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<li>{e.Encode(step)}</li>");
            }

            html.AppendLine("</ol>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p><a href=\"{e.Encode(Link)}\">Manage the application's credentials</a> ({e.Encode(Link)})</p>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p style=\"color:#5b6675\">{e.Encode(Footer)}</p>");
            return html.ToString();

            void Row(string label, string value) =>
                html.AppendLine(CultureInfo.InvariantCulture, $"<tr><th style=\"text-align: left; padding-right: 1em; white-space: nowrap\">{e.Encode(label)}</th><td>{e.Encode(value)}</td></tr>");
        }

        /// <summary>Names are user input: a line break would end a mail header (and is an injection vector there).</summary>
        private static string OneLine(string value) =>
            string.Create(value.Length, value, (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) ? ' ' : source[i];
                }
            });
    }
}
