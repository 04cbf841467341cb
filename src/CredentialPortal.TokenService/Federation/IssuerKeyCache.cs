using System.Collections.Concurrent;
using System.Text.Json;
using CredentialPortal.Core.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Federation;

/// <summary>
/// Each trusted issuer's signing keys, per instance: fetched on first use, used for
/// <see cref="FederationOptions.KeyCacheSeconds"/>, fetched again sooner when a token names a <c>kid</c> they lack (the
/// issuer rotated its key) — but at most once per <see cref="FederationOptions.MinRefreshSeconds"/> per issuer, so tokens
/// with made-up kids cannot make us hammer an issuer. While an issuer cannot be reached its last keys stay in use
/// (stale-if-error), which is logged once per outage. Every instance follows the same rule on the same clock
/// (<see cref="TimeProvider"/>), so they answer alike.
/// </summary>
public sealed partial class IssuerKeyCache(IssuerDocuments documents, IOptions<FederationOptions> options, TimeProvider time,
    ILogger<IssuerKeyCache> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly FederationOptions _options = options.Value;

    /// <summary>The keys to verify a token of <paramref name="issuer"/> naming <paramref name="kid"/>; empty when none could ever be fetched.</summary>
    public async Task<IReadOnlyList<SecurityKey>> KeysAsync(string issuer, string? kid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var entry = _entries.GetOrAdd(issuer, _ => new Entry());
        // Keys that can verify this token are used at once: fresh ones, stale ones while no fetch is due (stale-if-error)
        // or while another request is fetching. Without them (none yet, or an unknown kid) the request waits for the
        // fetch in flight, if any, rather than being refused while the keys are on their way.
        var unknownKid = UnknownKid(entry, kid);
        var usable = entry.Keys.Count > 0 && !unknownKid;
        if (usable && (!NeedsFetch(entry, unknownKid, time.GetUtcNow()) || entry.Fetching.CurrentCount == 0))
        {
            return entry.Keys;
        }

        await entry.Fetching.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            // Asked again: the fetch this request waited for may have brought the kid.
            if (!NeedsFetch(entry, UnknownKid(entry, kid), now))
            {
                return entry.Keys;
            }

            entry.LastAttempt = now;
            // The fetch serves every request waiting for this issuer's keys, so it runs to its own time limit, never to the
            // cancellation of the request that happened to start it: a client hanging up mid-fetch would otherwise leave
            // the issuer without keys, and all its tokens refused, until the next attempt is allowed.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.FetchTimeoutSeconds), time);
            try
            {
                entry.Keys = await documents.FetchKeysAsync(issuer, limit.Token);
                entry.FetchedAt = now;
                if (entry.Failing)
                {
                    entry.Failing = false;
                    LogReachableAgain(logger, issuer);
                }
            }
            catch (Exception e) when (e is IssuerFetchException or JsonException or ArgumentException or OperationCanceledException)
            {
                if (!entry.Failing)
                {
                    entry.Failing = true;
                    LogUnreachable(logger, issuer, entry.Keys.Count, e.Message);
                }
            }

            return entry.Keys;
        }
        finally
        {
            entry.Fetching.Release();
        }
    }

    private bool NeedsFetch(Entry entry, bool unknownKid, DateTimeOffset now)
    {
        var stale = entry.FetchedAt is not { } fetched || now - fetched >= TimeSpan.FromSeconds(_options.KeyCacheSeconds);
        var mayFetch = entry.LastAttempt is not { } attempt || now - attempt >= TimeSpan.FromSeconds(_options.MinRefreshSeconds);
        return (stale || unknownKid) && mayFetch;
    }

    private static bool UnknownKid(Entry entry, string? kid) => kid is not null && !entry.Keys.Any(k => k.KeyId == kid);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The keys of trusted issuer {Issuer} could not be fetched ({Reason}); its {KeyCount} cached keys stay in use until it answers again.")]
    private static partial void LogUnreachable(ILogger logger, string issuer, int keyCount, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The keys of trusted issuer {Issuer} were fetched again.")]
    private static partial void LogReachableAgain(ILogger logger, string issuer);

    private sealed class Entry
    {
        public SemaphoreSlim Fetching { get; } = new(1, 1);
        public IReadOnlyList<SecurityKey> Keys { get; set; } = [];
        public DateTimeOffset? FetchedAt { get; set; }
        public DateTimeOffset? LastAttempt { get; set; }
        public bool Failing { get; set; }
    }
}
