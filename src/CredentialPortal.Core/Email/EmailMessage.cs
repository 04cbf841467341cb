namespace CredentialPortal.Core.Email;

/// <summary>One email with a plain-text body and an optional HTML alternative.</summary>
public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string TextBody, string? HtmlBody = null);

public interface IEmailSender
{
    /// <summary>
    /// Hands the message to the mail server (or writes it to the pickup directory). Throws
    /// <see cref="EmailDeliveryException"/> when that fails, so the caller can retry; nothing is dropped silently.
    /// </summary>
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}

/// <summary>A message could not be handed over. <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public sealed class EmailDeliveryException(string message, bool isTransient, Exception? innerException = null)
    : Exception(message, innerException)
{
    public bool IsTransient { get; } = isTransient;
}
