using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Throttling;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.SecretScanning;

/// <summary>
/// <c>POST /secret-scanning/github</c>, GitHub's secret-scanning partner alert: a JSON array of
/// <c>{"token", "type", "url", "source"}</c>, signed (ECDSA P-256, SHA-256, base64 DER) over the raw body with the key
/// that <c>Github-Public-Key-Identifier</c> names (<see cref="GitHubPublicKeys"/>). The signature is the authentication:
/// no session, no bearer token; an alert that does not verify changes nothing (401). Each token is answered with
/// GitHub's feedback: <c>true_positive</c> for a secret this portal holds, which gets the leak response
/// (<see cref="SecretLeaks"/>), <c>false_positive</c> for anything else — another product's format, a checksum that
/// does not match (decided without a lookup), a secret no application has (never issued here, or deleted).
/// </summary>
public sealed partial class GitHubAlertEndpoint : IDisposable
{
    public const string Path = "/secret-scanning/github";
    public const string KeyIdentifierHeader = "Github-Public-Key-Identifier";
    public const string SignatureHeader = "Github-Public-Key-Signature";
    public const int MaxTokens = 1000;

    /// <summary>1,000 matches with long addresses fit easily; more is not an alert.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly AuditActor Actor = new("GitHub secret scanning");
    private readonly GitHubPublicKeys _keys;
    private readonly ILogger<GitHubAlertEndpoint> _logger;
    private readonly PartitionedRateLimiter<string> _perAddress;

    public GitHubAlertEndpoint(GitHubPublicKeys keys, IOptions<SecretScanningOptions> options, ILogger<GitHubAlertEndpoint> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_keys, _logger) = (keys, logger);
        var permits = options.Value.GitHub.RequestsPerMinute;
        _perAddress = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        // Before anything costs us work: reading the body, checking a signature, fetching keys.
        using (var lease = _perAddress.AttemptAcquire(ClientAddress.PartitionKey(context.Connection.RemoteIpAddress)))
        {
            if (!lease.IsAcquired)
            {
                context.Response.Headers.RetryAfter = "60";
                return Problem(StatusCodes.Status429TooManyRequests, "Too Many Requests", "Too many alerts from this address; retry in a minute.");
            }
        }

        if (request.ContentLength > MaxBodyBytes
            || await ReadAtMostAsync(request.Body, MaxBodyBytes, context.RequestAborted) is not { } body)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"An alert may be at most {MaxBodyBytes} bytes.");
        }

        var keyId = request.Headers[KeyIdentifierHeader].ToString();
        var signature = request.Headers[SignatureHeader].ToString();
        ECDsa? key;
        try
        {
            key = keyId.Length == 0 ? null : await _keys.FindAsync(keyId, context.RequestAborted);
        }
        catch (GitHubKeysUnavailableException e)
        {
            LogKeysUnavailable(_logger, e, e.Message);
            context.Response.Headers.RetryAfter = "60";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable", "The keys to check the signature with cannot be fetched now; retry later.");
        }

        if (key is null || !Verifies(key, body, signature))
        {
            LogRefused(_logger, keyId, key is null ? "unknown or missing key identifier" : "signature does not verify");
            return Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The {SignatureHeader} header must hold a signature of the body by the GitHub key that {KeyIdentifierHeader} names.");
        }

        List<Alert?>? alerts;
        try
        {
            alerts = JsonSerializer.Deserialize<List<Alert?>>(body);
        }
        catch (JsonException)
        {
            alerts = null;
        }

        if (alerts is null || alerts.Any(a => a?.Token is null))
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", "The body must be a JSON array of objects with \"token\", \"type\", \"url\" and \"source\".");
        }

        if (alerts.Count > MaxTokens)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", $"At most {MaxTokens} tokens per request.");
        }

        var leaks = context.RequestServices.GetRequiredService<SecretLeaks>();
        var feedback = new List<Feedback>(alerts.Count);
        foreach (var alert in alerts)
        {
            feedback.Add(new Feedback(alert!.Token!, alert.Type ?? "", await LabelAsync(leaks, alert, context.RequestAborted)));
        }

        return Results.Json(feedback);
    }

    private async Task<string> LabelAsync(SecretLeaks leaks, Alert alert, CancellationToken cancellationToken)
    {
        var token = alert.Token!;
        // A look-alike (another product's format, a checksum that fails) costs no database lookup.
        if (!SecretFormat.ChecksumMatches(token) || await leaks.FindAsync(token, cancellationToken) is not { } secret)
        {
            LogNotOurs(_logger, alert.Type, alert.Url);
            return "false_positive";
        }

        var location = alert.Url is { Length: > 0 } url ? url : $"GitHub ({alert.Source ?? "unknown"})";
        await leaks.ReportAsync(secret.Application, secret, location, Actor, cancellationToken);
        return "true_positive";
    }

    private static bool Verifies(ECDsa key, byte[] body, string signature)
    {
        var der = new byte[(signature.Length * 3 / 4) + 3];
        try
        {
            return Convert.TryFromBase64String(signature, der, out var length)
                && key.VerifyData(body, der.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The whole stream, or null when it holds more than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAtMostAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    public void Dispose() => _perAddress.Dispose();

    private sealed record Alert(
        [property: JsonPropertyName("token")] string? Token,
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("url")] string? Url,
        [property: JsonPropertyName("source")] string? Source);

    /// <summary>GitHub's feedback for one token; the raw form, which GitHub sent us and is the one it matches on.</summary>
    private sealed record Feedback(
        [property: JsonPropertyName("token_raw")] string TokenRaw,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("label")] string Label);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A GitHub secret-scanning alert was refused (key id {KeyIdentifier}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string keyIdentifier, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A GitHub secret-scanning alert could not be checked: {Reason}")]
    private static partial void LogKeysUnavailable(ILogger logger, Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A GitHub secret-scanning alert (type {Type}, at {Url}) named no secret of this portal")]
    private static partial void LogNotOurs(ILogger logger, string? type, string? url);
}
