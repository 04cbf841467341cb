using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CredentialPortal.Core;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Email;

namespace CredentialPortal.Reminders;

/// <summary>One unused credential as the digest lists it.</summary>
public sealed record UnusedCredentialLine(CredentialKind Kind, string Name, string Hint, UnusedFlag Flag);

/// <summary>An application of the manager's with its unused credentials.</summary>
public sealed record UnusedCredentialsOfApplication(string ApplicationName, string ClientId, IReadOnlyList<UnusedCredentialLine> Credentials);

/// <summary>
/// Composes the monthly "unused credentials" digest to one credential manager, in the reminders' form (a subject, a
/// plain-text body and an HTML alternative with every value encoded): what is unused, why it matters, what to do, and
/// where. Holds no secret value: the store has only a secret's hash and hint.
/// </summary>
public static class UnusedCredentialsEmail
{
    private const string KeyPrefix = "unused-credentials/";

    /// <summary>At most this many credentials are listed; the rest are counted ("and 12 more").</summary>
    public const int MaxListed = 50;

    /// <summary>
    /// One digest per manager and month (UTC): the outbox's unique identity key, so inserting the email claims it, once,
    /// however many instances try or restart, and a retry of it carries the same Message-ID.
    /// </summary>
    public static string IdentityKey(Guid userId, DateTime now) =>
        string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{now:yyyy-MM}/{userId:N}");

    public static EmailMessage Compose(string to, IReadOnlyList<UnusedCredentialsOfApplication> applications, Guid userId, DateTime now, string credentialsPage)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var count = applications.Sum(a => a.Credentials.Count);
        var month = now.ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        var subject = count == 1
            ? $"1 unused credential: delete it? ({month})"
            : string.Create(CultureInfo.InvariantCulture, $"{count} unused credentials: delete them? ({month})");
        var (subjectOfLead, has) = count == 1
            ? ("A credential of an application you manage", "has")
            : ($"{PortalText.Count(count, "credential")} of applications you manage", "have");
        var lead = $"{subjectOfLead} {has} not obtained an access token for {UnusedCredentials.Days} days or more, or never {has}. "
            + "An unused credential still works for whoever holds it, so each one is a way in that nobody watches.";
        string[] steps =
        [
            "Check with the people who run each application's systems whether anything still uses it.",
            "If nothing does, disable it, then delete it. If something does, keep it: it drops off this list once it is used.",
        ];
        const string Footer = "You receive this monthly email as a credential manager of the applications above; it is sent only when one of "
            + "their active credentials is unused. It never contains a secret value or a private key.";
        var listed = applications
            .SelectMany(a => a.Credentials.Select(c => (Application: a, Credential: c)))
            .Take(MaxListed)
            .GroupBy(x => x.Application, x => x.Credential)
            .ToList();
        var more = count - listed.Sum(g => g.Count());

        var text = new StringBuilder();
        text.AppendLine("Hello,").AppendLine();
        text.AppendLine(lead).AppendLine();
        foreach (var application in listed)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{EmailText.Name(application.Key.ApplicationName)} (client ID {application.Key.ClientId})");
            foreach (var credential in application)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {Describe(credential)} — unused: delete it?");
            }

            text.AppendLine();
        }

        if (more > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"… and {PortalText.Count(more, "more credential")}: see the credentials page.").AppendLine();
        }

        text.AppendLine("What to do:");
        for (var i = 0; i < steps.Length; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {steps[i]}");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Manage the applications' credentials: {credentialsPage}").AppendLine();
        text.AppendLine(Footer);

        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        html.AppendLine("<p>Hello,</p>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>{e.Encode(lead)}</p>");
        foreach (var application in listed)
        {
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<p style=\"margin-bottom:4px\"><strong>{e.Encode(EmailText.Name(application.Key.ApplicationName))}</strong> (client ID <code>{e.Encode(application.Key.ClientId)}</code>)</p>");
            html.AppendLine("<ul style=\"margin-top:0\">");
            foreach (var credential in application)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<li>{e.Encode(Describe(credential))} — <strong>unused: delete it?</strong></li>");
            }

            html.AppendLine("</ul>");
        }

        if (more > 0)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>… and {e.Encode(PortalText.Count(more, "more credential"))}: see the credentials page.</p>");
        }

        html.AppendLine("<p>What to do:</p>").AppendLine("<ol>");
        foreach (var step in steps)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<li>{e.Encode(step)}</li>");
        }

        html.AppendLine("</ol>");
        html.AppendLine(CultureInfo.InvariantCulture,
            $"<p><a href=\"{e.Encode(credentialsPage)}\">Manage the applications' credentials</a> ({e.Encode(credentialsPage)})</p>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p style=\"color:#5b6675\">{e.Encode(Footer)}</p>");
        return new EmailMessage([to], subject, text.ToString(), html.ToString(), IdentityKey(userId, now));
    }

    /// <summary>"Secret "Batch job" (abc…): never used in the 120 days since it was created".</summary>
    private static string Describe(UnusedCredentialLine credential)
    {
        var words = credential.Kind.Words();
        var flag = credential.Flag.Describe();
        return $"{words.Label} \"{EmailText.Name(credential.Name)}\" ({words.DisplayHint(credential.Hint)}): "
            + char.ToLowerInvariant(flag[0]) + flag[1..];
    }
}
