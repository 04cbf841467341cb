using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.SecretScanning;

/// <summary>The keys could not be fetched or read: alerts cannot be checked until they can.</summary>
public sealed class GitHubKeysUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The public keys GitHub signs its secret-scanning alerts with, from <see cref="GitHubScanningOptions.KeysUrl"/>
/// (<c>{"public_keys": [{"key_identifier", "key" (PEM), "is_current"}]}</c>), fetched through the webhooks' HTTP client
/// and so through their private-network guard (<see cref="WebhookHttp"/>), and kept for
/// <see cref="GitHubScanningOptions.KeysCacheDuration"/>. An unknown key id fetches them again — GitHub rotates keys —
/// but at most once per <see cref="GitHubScanningOptions.UnknownKeyRefreshInterval"/>, so made-up ids cost us nothing.
/// </summary>
public sealed class GitHubPublicKeys(WebhookHttp http, IOptions<SecretScanningOptions> options, TimeProvider time) : IDisposable
{
    private const int MaxKeysDocumentBytes = 256 * 1024;
    private readonly GitHubScanningOptions _options = options.Value.GitHub;
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private FrozenDictionary<string, ECDsa> _keys = FrozenDictionary<string, ECDsa>.Empty;
    private DateTimeOffset? _fetchedAt;

    /// <summary>The key with this id, or null when GitHub does not publish one. Throws <see cref="GitHubKeysUnavailableException"/>.</summary>
    public async Task<ECDsa?> FindAsync(string keyIdentifier, CancellationToken cancellationToken)
    {
        if (!IsStale() && _keys.TryGetValue(keyIdentifier, out var known))
        {
            return known;
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched them while this one waited. Stale keys are fetched again even for a known
            // id, so that a key GitHub withdrew stops verifying within the cache duration.
            var now = time.GetUtcNow();
            var unknownMayRefresh = _fetchedAt is not { } last || now - last >= _options.UnknownKeyRefreshInterval;
            if (IsStale() || (!_keys.ContainsKey(keyIdentifier) && unknownMayRefresh))
            {
                // The replaced keys are left to the finaliser: a request may be verifying with one right now.
                (_keys, _fetchedAt) = (await FetchAsync(cancellationToken), now);
            }

            return _keys.GetValueOrDefault(keyIdentifier);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private bool IsStale() => _fetchedAt is not { } at || time.GetUtcNow() - at >= _options.KeysCacheDuration;

    private async Task<FrozenDictionary<string, ECDsa>> FetchAsync(CancellationToken cancellationToken)
    {
        KeysDocument? document;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _options.KeysUrl);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request, _options.AllowPrivateNetworks, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new GitHubKeysUnavailableException($"{_options.KeysUrl} answered {(int)response.StatusCode}.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var bytes = await GitHubAlertEndpoint.ReadAtMostAsync(body, MaxKeysDocumentBytes, cancellationToken)
                ?? throw new GitHubKeysUnavailableException($"{_options.KeysUrl} answered with more than {MaxKeysDocumentBytes} bytes.");
            document = JsonSerializer.Deserialize<KeysDocument>(bytes);
        }
        catch (Exception e) when (e is HttpRequestException or WebhookAddressRefusedException or JsonException or TaskCanceledException
                                      && !cancellationToken.IsCancellationRequested)
        {
            throw new GitHubKeysUnavailableException($"GitHub's secret-scanning keys could not be fetched from {_options.KeysUrl}: {e.Message}", e);
        }

        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var published in document?.PublicKeys ?? [])
        {
            if (published.KeyIdentifier is not { Length: > 0 } id || published.Key is not { Length: > 0 } pem)
            {
                continue;
            }

            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(pem);
                keys[id] = key;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // One unreadable key must not stop the others from verifying.
                key.Dispose();
            }
        }

        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _fetching.Dispose();
    }

    private sealed record KeysDocument([property: JsonPropertyName("public_keys")] List<PublishedKey>? PublicKeys);

    // "is_current" is not read: GitHub may still sign with a key it no longer calls current, and it is published.
    private sealed record PublishedKey(
        [property: JsonPropertyName("key_identifier")] string? KeyIdentifier,
        [property: JsonPropertyName("key")] string? Key);
}
