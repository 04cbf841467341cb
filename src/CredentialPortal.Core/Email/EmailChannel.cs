using CredentialPortal.Core.Outbox;

namespace CredentialPortal.Core.Email;

/// <summary>The outbox's email channel: hands each email to <see cref="IEmailSender"/> (the mail server or the pickup directory).</summary>
public sealed class EmailChannel(IEmailSender sender) : IOutboxChannel
{
    public OutboxChannel Channel => OutboxChannel.Email;

    public async Task SendAsync(OutboxMessage message, Func<Task> accepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var email = message.ToEmailMessage();
        if (email.To.Count == 0)
        {
            throw new OutboxDeliveryException("The email has no recipients.", isTransient: false);
        }

        try
        {
            await sender.SendAsync(email, accepted, cancellationToken);
        }
        catch (EmailDeliveryException ex)
        {
            throw new OutboxDeliveryException(ex.Message, ex.IsTransient, ex);
        }
    }
}
