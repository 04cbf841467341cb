using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// The outbox's webhook channel: signs the stored body the Standard Webhooks way with the endpoint's
/// secret (and its previous one during a rotation's overlap) and POSTs it within <see cref="WebhookOptions.Timeout"/>; the response body is never read. Each attempt is
/// written to the endpoint's delivery log. 2xx delivers; a timeout, 408, 429 or 5xx is retried by the outbox (same
/// <c>webhook-id</c>, new timestamp and signature); 410 Gone disables the endpoint at once (its pending messages are then
/// dropped, see <see cref="WebhookEndpointStillEnabled"/>); any other answer, a redirect or a refused address fails the
/// message. <see cref="WebhookOptions.DisableAfterFailures"/> failed messages in a row disable the endpoint, and those
/// who manage it are told by email (<see cref="WebhookEndpointDisabler"/>). A credential manager sees what went wrong as a fixed category ("No answer: the name does not
/// resolve"); what the name resolved to and the exception's text go to the operators' log alone.
/// </summary>
public sealed partial class WebhookSender(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    WebhookSecrets secrets,
    WebhookHttp http,
    WebhookEndpointDisabler disabler,
    IOptions<EmailOptions> email,
    TimeProvider time,
    ILogger<WebhookSender> logger) : IOutboxChannel
{
    private const string RefusedCategory = "Refused: the address is on a private or reserved network";

    public OutboxChannel Channel => OutboxChannel.Webhook;

    public async Task SendAsync(OutboxMessage message, Func<Task> accepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(accepted);
        if (message is not { WebhookEndpointId: { } endpointId, WebhookMessageId: { } messageId, WebhookPayload: { } payload })
        {
            throw new OutboxDeliveryException("Not a webhook message: no endpoint, message id or payload.", isTransient: false);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);
        if (endpoint is null || endpoint.IsDisabled)
        {
            throw new OutboxDeliveryException("The webhook endpoint is disabled or deleted.", isTransient: false);
        }

        var started = time.GetTimestamp();
        var (status, error, detail, transient) = await PostAsync(endpoint, messageId, payload, cancellationToken);
        var delivered = status is >= 200 and < 300;
        var givenUp = !delivered && (!transient || message.Attempts >= email.Value.Outbox.MaxAttempts);
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            EndpointId = endpoint.Id,
            MessageId = messageId,
            EventType = message.WebhookEventType ?? "",
            AttemptedAt = time.GetUtcNow().UtcDateTime,
            Attempt = message.Attempts,
            StatusCode = status,
            Outcome = delivered ? WebhookDeliveryOutcome.Delivered : givenUp ? WebhookDeliveryOutcome.Failed : WebhookDeliveryOutcome.Retrying,
            DurationMilliseconds = (int)time.GetElapsedTime(started).TotalMilliseconds,
            Error = error is { Length: > WebhookDelivery.MaxErrorLength } ? error[..WebhookDelivery.MaxErrorLength] : error,
        });
        if (delivered)
        {
            endpoint.ConsecutiveFailures = 0;
            await db.SaveChangesAsync(CancellationToken.None);
            await accepted();
            return;
        }

        if (givenUp)
        {
            endpoint.ConsecutiveFailures++;
            await disabler.DisableIfDueAsync(db, endpoint, gone: status == 410, error!, cancellationToken);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        LogFailed(endpoint.Id, messageId, message.Attempts, error!, detail);
        throw new OutboxDeliveryException(error!, isTransient: !givenUp);
    }

    /// <summary>
    /// The status code (null when there was no answer); what went wrong, as the fixed category the delivery log, the
    /// audit and the disabled-endpoint email show to credential managers; the exception's text for the operators' log
    /// only (it names resolved addresses and the name's DNS answer, which would map the internal network); and whether
    /// a retry may help.
    /// </summary>
    private async Task<(int? Status, string? Error, string? Detail, bool Transient)> PostAsync(WebhookEndpoint endpoint, string messageId,
        string body, CancellationToken cancellationToken)
    {
        // Said of the address as stored, which the manager typed: nothing resolved yet.
        if (http.RefusalOf(endpoint.Url, endpoint.AllowPrivateNetwork) is { } refusal)
        {
            return (null, refusal, null, false);
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(StandardWebhooks.IdHeader, messageId);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Standard Webhooks: several space-separated signatures, of which the receiver needs one to verify (rotation).
        request.Headers.Add(StandardWebhooks.SignatureHeader, string.Join(' ',
            secrets.SigningSecretsOf(endpoint, time.GetUtcNow().UtcDateTime).Select(secret => StandardWebhooks.Sign(secret, messageId, timestamp, bytes))));
        try
        {
            // Headers only: the body is neither read nor stored, whatever the receiver sends.
            using var response = await http.SendAsync(request, endpoint.AllowPrivateNetwork, cancellationToken);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => (status, null, null, false),
                408 or 429 or >= 500 => (status, $"HTTP {status}", null, true),
                410 => (status, "HTTP 410 Gone: the receiver asked for no more messages", null, false),
                _ => (status, $"HTTP {status}", null, false),
            };
        }
        catch (HttpRequestException ex) when (Find<WebhookAddressRefusedException>(ex) is not null)
        {
            return (null, RefusedCategory, ex.Message, false);
        }
        catch (HttpRequestException ex)
        {
            return (null, NoAnswerCategory(ex), ex.Message, true);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "No answer within the timeout", ex.Message, true);
        }
    }

    /// <summary>What kind of failure it was, from the handler's classification rather than its (localised, detailed) message.</summary>
    private static string NoAnswerCategory(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "No answer: the name does not resolve",
        HttpRequestError.ConnectionError when Find<SocketException>(ex)?.SocketErrorCode == SocketError.ConnectionRefused
            => "No answer: connection refused",
        HttpRequestError.ConnectionError => "No answer: the connection failed",
        HttpRequestError.SecureConnectionError => "No answer: TLS handshake failed",
        HttpRequestError.ResponseEnded => "No answer: the connection closed before a response",
        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "No answer: the response was not valid HTTP",
        _ => "No answer: the request failed",
    };

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {MessageId} to endpoint {EndpointId} not delivered (attempt {Attempts}): {Error} ({Detail})")]
    private partial void LogFailed(int endpointId, string messageId, int attempts, string error, string? detail);
}
