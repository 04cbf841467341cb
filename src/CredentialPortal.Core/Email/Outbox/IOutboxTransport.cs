namespace CredentialPortal.Core.Email.Outbox;

/// <summary>
/// Delivers the outbox rows of one <see cref="Kind"/> that are not emails (webhooks); every other row goes to
/// <see cref="IEmailSender"/>. Same contract: throws <see cref="EmailDeliveryException"/> (transient or not) when the
/// delivery failed, and runs <c>accepted</c> the moment the receiver has the message.
/// </summary>
public interface IOutboxTransport
{
    OutboxEmailKind Kind { get; }

    Task SendAsync(OutboxEmail message, Func<Task> accepted, CancellationToken cancellationToken);
}
