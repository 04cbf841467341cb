namespace CredentialPortal.Core.Email;

/// <summary>
/// One email: the same content as plain text and as HTML (every value in <paramref name="HtmlBody"/> HTML-encoded by the
/// composer), and <paramref name="IdentityKey"/>, which names the event the email is about (e.g. <c>reminder/42/7d</c>).
/// The sender derives the Message-ID from the key and the recipients, so a retry of the same email carries the same
/// Message-ID and a receiving system can recognise the duplicate.
/// </summary>
public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string TextBody, string HtmlBody, string IdentityKey);

public interface IEmailSender
{
    /// <summary>
    /// Hands the message to the mail server (or writes it to the pickup directory) within <c>Email:Smtp:TimeoutMilliseconds</c>.
    /// Throws <see cref="EmailDeliveryException"/> when that fails, so the caller can retry; nothing is dropped silently.
    /// Cancelling <paramref name="cancellationToken"/> ends the attempt at once with an <see cref="OperationCanceledException"/>.
    /// <paramref name="accepted"/> runs the moment the server has accepted the message (before the SMTP QUIT), so the caller
    /// can record the delivery while the window for a crash that would repeat it is smallest; its exceptions propagate as they are.
    /// </summary>
    Task SendAsync(EmailMessage message, Func<Task>? accepted = null, CancellationToken cancellationToken = default);
}

/// <summary>A message could not be handed over. <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public sealed class EmailDeliveryException(string message, bool isTransient, Exception? innerException = null)
    : Exception(message, innerException)
{
    public bool IsTransient { get; } = isTransient;
}
