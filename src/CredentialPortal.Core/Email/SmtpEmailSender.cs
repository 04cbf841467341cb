using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CredentialPortal.Core.Email;

/// <summary>
/// Sends through MailKit: to the configured SMTP server, or, without a host, into the pickup directory as
/// <c>.eml</c> files (the embedded default, handy for trying the product out).
/// </summary>
public sealed partial class SmtpEmailSender(IOptions<EmailOptions> options, TimeProvider time, ILogger<SmtpEmailSender> logger)
    : IEmailSender
{
    /// <summary>RFC 5322 wants CRLF line ends in a message file, whatever the platform.</summary>
    private static readonly FormatOptions FileFormat = CreateFileFormat();

    private readonly EmailOptions _options = options.Value;
    private readonly Lock _fileNameGate = new();
    private DateTimeOffset _lastFileStamp;
    private long _fileCounter;

    public async Task SendAsync(EmailMessage message, Func<Task>? accepted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var timeout = TimeSpan.FromMilliseconds(_options.Smtp.TimeoutMilliseconds);
        // The timer runs on the injected clock, so tests can expire it without waiting.
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using var client = string.IsNullOrWhiteSpace(_options.Smtp.Host) ? null : new SmtpClient { Timeout = _options.Smtp.TimeoutMilliseconds };
        try
        {
            var mime = Build(message, out var messageIdHash);
            if (client is null)
            {
                await WriteToPickupDirectoryAsync(mime, messageIdHash, linked.Token);
            }
            else
            {
                await SendOverSmtpAsync(client, _options.Smtp.Host!, mime, linked.Token);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmailDeliveryException($"The mail server did not complete the delivery within {timeout.TotalSeconds:0.#} s.", isTransient: true, ex);
        }
        catch (SmtpCommandException ex)
        {
            // 4xx: the server asks to try again later; 5xx: it will never take this message.
            var transient = (int)ex.StatusCode is >= 400 and < 500;
            throw new EmailDeliveryException(
                $"The mail server refused the message ({(int)ex.StatusCode}): {ex.Message}", transient, ex);
        }
        catch (SmtpProtocolException ex)
        {
            throw new EmailDeliveryException($"The mail server broke off the conversation: {ex.Message}", isTransient: true, ex);
        }
        catch (AuthenticationException ex)
        {
            throw new EmailDeliveryException($"The mail server refused the credentials in Email:Smtp: {ex.Message}", isTransient: false, ex);
        }
        catch (SslHandshakeException ex)
        {
            throw new EmailDeliveryException($"The TLS handshake with the mail server failed (check Email:Smtp:Security and the server certificate): {ex.Message}",
                isTransient: false, ex);
        }
        catch (NotSupportedException ex)
        {
            // MailKit's answer when the server lacks a required extension, e.g. STARTTLS: a configuration problem.
            throw new EmailDeliveryException($"The mail server does not support what Email:Smtp asks for: {ex.Message}", isTransient: false, ex);
        }
        catch (ParseException ex)
        {
            throw new EmailDeliveryException($"An address of the message is malformed: {ex.Message}", isTransient: false, ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or UnauthorizedAccessException)
        {
            throw new EmailDeliveryException($"The message could not be delivered: {ex.Message}", isTransient: true, ex);
        }

        LogHandedOver(message.Subject, message.To.Count);
        if (accepted is not null)
        {
            await accepted();
        }

        if (client is not null)
        {
            await QuitAsync(client, linked.Token);
        }
    }

    private MimeMessage Build(EmailMessage message, out string messageIdHash)
    {
        var from = new MailboxAddress(_options.FromName, _options.From);
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = time.GetUtcNow(),
            Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = EmailLayout.Document(message.Subject, message.HtmlBody) }.ToMessageBody(),
        };
        mime.From.Add(from);
        foreach (var to in message.To)
        {
            mime.To.Add(MailboxAddress.Parse(to));
        }

        messageIdHash = MessageIdHash(message);
        mime.MessageId = $"{messageIdHash}@{from.Domain}";
        return mime;
    }

    /// <summary>
    /// SHA-256 of the identity key and the recipients: the same event to the same people always gets the same
    /// Message-ID, whichever order the recipients were listed in.
    /// </summary>
    private static string MessageIdHash(EmailMessage message)
    {
        var recipients = message.To.Select(a => a.Trim().ToUpperInvariant()).Order(StringComparer.Ordinal);
        var input = message.IdentityKey + "\n" + string.Join("\n", recipients);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)));
    }

    private async Task SendOverSmtpAsync(SmtpClient client, string host, MimeMessage mime, CancellationToken cancellationToken)
    {
        var smtp = _options.Smtp;
        await client.ConnectAsync(host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
    }

    private async Task QuitAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // The server already accepted the message: a failed QUIT must not make the caller send it again.
            LogQuitFailed(ex);
        }
    }

    /// <summary>
    /// Writes under a temporary name and renames, so a reader never sees half a message. The name starts with the
    /// clock's time (never earlier than the previous file's) and a counter, so names sort in send order.
    /// </summary>
    private async Task WriteToPickupDirectoryAsync(MimeMessage mime, string messageIdHash, CancellationToken cancellationToken)
    {
        var directory = _options.PickupDirectory
            ?? throw new InvalidOperationException("Email:PickupDirectory is required when Email:Smtp:Host is not set.");
        Directory.CreateDirectory(directory);
        var name = NextFileName(messageIdHash);
        var temporary = Path.Combine(directory, name + ".tmp");
        try
        {
            await mime.WriteToAsync(FileFormat, temporary, cancellationToken);
            File.Move(temporary, Path.Combine(directory, name + ".eml"));
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private string NextFileName(string messageIdHash)
    {
        lock (_fileNameGate)
        {
            var now = time.GetUtcNow();
            _lastFileStamp = now > _lastFileStamp ? now : _lastFileStamp;
            _fileCounter++;
            return string.Create(CultureInfo.InvariantCulture,
                $"{_lastFileStamp.UtcDateTime:yyyyMMdd'T'HHmmss'.'fffffff'Z'}-{_fileCounter:D10}-{messageIdHash[..16]}");
        }
    }

    private static FormatOptions CreateFileFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {Subject} handed over for {RecipientCount} recipient(s)")]
    private partial void LogHandedOver(string subject, int recipientCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail server accepted the message but the QUIT that followed failed")]
    private partial void LogQuitFailed(Exception exception);
}
