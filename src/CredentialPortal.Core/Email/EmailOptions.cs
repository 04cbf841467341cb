using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Outbox;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Email;

/// <summary>Configuration section <c>Email</c>: how the product sends mail.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Email";

    /// <summary>Sender address of every email; its domain also ends every Message-ID.</summary>
    [Required, EmailAddress]
    public string From { get; set; } = "credential-portal@localhost";

    /// <summary>Display name of the sender, shown by mail clients instead of the bare address.</summary>
    [Required]
    public string FromName { get; set; } = "Manage API Credentials";

    /// <summary>
    /// Folder that receives one <c>.eml</c> file per message when no SMTP host is configured.
    /// Default: a <c>mail</c> folder beside the SQLite database. File names sort in send order.
    /// </summary>
    public string? PickupDirectory { get; set; }

    [ValidateObjectMembers]
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Section <c>Email:Outbox</c>: the background sender every email goes through.</summary>
    [ValidateObjectMembers]
    public OutboxOptions Outbox { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Outbox.ClaimLease < TimeSpan.FromMilliseconds(Smtp.TimeoutMilliseconds))
        {
            yield return new ValidationResult($"Email:Outbox:ClaimLease ({Outbox.ClaimLease}) is shorter than Email:Smtp:TimeoutMilliseconds " +
                $"({Smtp.TimeoutMilliseconds} ms); a send could outlive its lease and go out twice.");
        }
    }
}

[OptionsValidator]
internal sealed partial class EmailOptionsValidator : IValidateOptions<EmailOptions>;

/// <summary>Configuration section <c>Email:Smtp</c>. Leave <see cref="Host"/> empty for pickup-directory delivery.</summary>
public sealed class SmtpOptions
{
    /// <summary>The SMTP server's host name or address; when set, mail goes there.</summary>
    public string? Host { get; set; }

    /// <summary>1–65535; default 25.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>
    /// Transport security: <c>None</c> (plain text), <c>StartTls</c> (upgrade with STARTTLS, fail if the server does not
    /// offer it), <c>SslOnConnect</c> (TLS from the first byte, usually port 465) or <c>Auto</c> (TLS on port 465,
    /// otherwise STARTTLS when the server offers it). Default <c>Auto</c>.
    /// </summary>
    [EnumDataType(typeof(SecureSocketOptions), ErrorMessage = "Email:Smtp:Security must be None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable.")]
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    /// <summary>User name for SMTP authentication; leave empty when the server needs none.</summary>
    public string? UserName { get; set; }

    /// <summary>Password for <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Milliseconds one send may take in all, connecting and every server reply included (1000–600000, default 30000).
    /// A server that stops answering costs the caller no more than this.
    /// </summary>
    [Range(1000, 600_000)]
    public int TimeoutMilliseconds { get; set; } = 30_000;
}
