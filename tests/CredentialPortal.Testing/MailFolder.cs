using MimeKit;

namespace CredentialPortal.Testing;

/// <summary>One email as written to the pickup directory, parsed by MimeKit.</summary>
public sealed record PickedUpMail(
    string File, IReadOnlyList<string> To, string Subject, string TextBody, string HtmlBody, string MessageId, MimeMessage Message, string Raw)
{
    /// <summary>Both renderings, for assertions on what the email says in either.</summary>
    public string Body => TextBody + "\n" + HtmlBody;
}

/// <summary>Reads the <c>.eml</c> files the pickup-directory sender wrote, in the order it sent them.</summary>
public sealed class MailFolder(string directory)
{
    public IReadOnlyList<PickedUpMail> All()
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // The sender names files so that they sort in send order; creation times can tie under load.
        return Directory.GetFiles(directory, "*.eml")
            .Order(StringComparer.Ordinal)
            .Select(Parse)
            .ToList();
    }

    public IReadOnlyList<PickedUpMail> To(string address) =>
        All().Where(m => m.To.Contains(address, StringComparer.OrdinalIgnoreCase)).ToList();

    public void Clear()
    {
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.GetFiles(directory, "*.eml"))
            {
                File.Delete(file);
            }
        }
    }

    private static PickedUpMail Parse(string file)
    {
        var message = MimeMessage.Load(file);
        return new PickedUpMail(file, message.To.Mailboxes.Select(m => m.Address).ToList(), message.Subject ?? "",
            message.TextBody ?? "", message.HtmlBody ?? "", message.MessageId ?? "", message, File.ReadAllText(file));
    }
}
