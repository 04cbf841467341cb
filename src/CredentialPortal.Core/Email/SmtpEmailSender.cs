using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Email;

/// <summary>
/// Sends through <see cref="SmtpClient"/>: to the configured SMTP server, or, without a host, into the pickup
/// directory as <c>.eml</c> files (the embedded default, handy for trying the product out).
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    private readonly EmailOptions _options = options.Value;

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mail = BuildMailMessage(message);
        using var client = CreateClient();
        try
        {
            await client.SendMailAsync(mail, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (SmtpFailedRecipientsException ex)
        {
            throw new EmailDeliveryException($"The mail server refused the recipients: {ex.Message}", IsTransient(ex.StatusCode), ex);
        }
        catch (SmtpException ex)
        {
            throw new EmailDeliveryException($"The mail server did not accept the message: {ex.Message}", IsTransient(ex.StatusCode), ex);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new EmailDeliveryException($"The message could not be delivered: {ex.Message}", isTransient: true, ex);
        }

        logger.LogInformation("Email {Subject} handed over for {RecipientCount} recipient(s)", message.Subject, message.To.Count);
    }

    private MailMessage BuildMailMessage(EmailMessage message)
    {
        var mail = new MailMessage { From = new MailAddress(_options.From), Subject = message.Subject };
        foreach (var to in message.To)
        {
            mail.To.Add(to);
        }

        mail.Body = message.TextBody;
        if (message.HtmlBody is not null)
        {
            mail.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(message.HtmlBody, null, MediaTypeNames.Text.Html));
        }

        return mail;
    }

    private SmtpClient CreateClient()
    {
        var smtp = _options.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            var directory = _options.PickupDirectory
                ?? throw new InvalidOperationException("Email:PickupDirectory is required when Email:Smtp:Host is not set.");
            Directory.CreateDirectory(directory);
            return new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
                PickupDirectoryLocation = Path.GetFullPath(directory),
            };
        }

        return new SmtpClient(smtp.Host, smtp.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = smtp.UseStartTls,
            Timeout = smtp.TimeoutMilliseconds,
            Credentials = string.IsNullOrEmpty(smtp.UserName) ? null : new NetworkCredential(smtp.UserName, smtp.Password),
        };
    }

    /// <summary>4xx replies and connection trouble (GeneralFailure) are worth a retry; 5xx replies are final.</summary>
    private static bool IsTransient(SmtpStatusCode code) =>
        code == SmtpStatusCode.GeneralFailure || (int)code is >= 400 and < 500;
}
