namespace CredentialPortal.Core.Outbox;

/// <summary>
/// The sender of one <see cref="OutboxChannel"/>: <see cref="OutboxPass"/> hands it each message of that channel, under
/// the pass's lease, retries and failure audit. Throws <see cref="OutboxDeliveryException"/> (transient or not) when the
/// delivery failed, and runs <c>accepted</c> the moment the receiver has the message, so the pass records it as sent
/// while the window for a crash that would repeat it is smallest.
/// </summary>
public interface IOutboxChannel
{
    OutboxChannel Channel { get; }

    Task SendAsync(OutboxMessage message, Func<Task> accepted, CancellationToken cancellationToken);
}

/// <summary>A channel could not deliver a message. <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public sealed class OutboxDeliveryException(string message, bool isTransient, Exception? innerException = null)
    : Exception(message, innerException)
{
    public bool IsTransient { get; } = isTransient;
}
