using System.Collections.Concurrent;
using CredentialPortal.TokenService.Telemetry;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Throttling;

/// <summary>
/// Counts failed client authentications in fixed windows, per presented client_id and per client address
/// (<see cref="ClientAddress.PartitionKey"/>); past a limit the client_id or the address is blocked for a while. Other
/// client_ids and addresses are unaffected. Both tables are bounded: when full, expired entries are dropped, and if that
/// is not enough the table starts over (an attacker cycling through millions of keys only resets counters of made-up
/// ones, and the other table still counts them).
/// </summary>
public sealed class FailedAuthenticationThrottle(IOptions<TokenServiceOptions> options, TimeProvider time, TokenServiceMetrics metrics)
{
    private const int MaxEntries = 20_000;

    private readonly FailureTable _byClientId = new(options.Value.FailedAuthentication.MaxFailures, options.Value.FailedAuthentication);
    private readonly FailureTable _byAddress = new(options.Value.FailedAuthentication.MaxFailuresPerAddress, options.Value.FailedAuthentication);

    /// <summary>How long the address stays blocked, or null when it is not blocked.</summary>
    public TimeSpan? AddressBlockedFor(string addressKey)
    {
        ArgumentNullException.ThrowIfNull(addressKey);
        return metrics.RateLimited(_byAddress.BlockedFor(addressKey, time.GetUtcNow()), "failed_authentication");
    }

    /// <summary>How long the client_id stays blocked, or null when it is not blocked.</summary>
    public TimeSpan? ClientIdBlockedFor(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return metrics.RateLimited(_byClientId.BlockedFor(clientId, time.GetUtcNow()), "failed_authentication");
    }

    /// <summary>
    /// Records a failure from the address, and for the client_id unless it is null (an id that cannot exist is not worth
    /// a counter); returns the block duration when this failure starts or extends a block of either.
    /// </summary>
    public TimeSpan? RecordFailure(string? clientId, string addressKey)
    {
        ArgumentNullException.ThrowIfNull(addressKey);
        var now = time.GetUtcNow();
        var byAddress = _byAddress.RecordFailure(addressKey, now);
        var byClientId = clientId is null ? null : _byClientId.RecordFailure(clientId, now);
        return metrics.RateLimited(byClientId is null || byAddress > byClientId ? byAddress : byClientId, "failed_authentication");
    }

    private sealed class FailureTable(int maxFailures, FailedAuthenticationOptions options)
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        private readonly TimeSpan _window = TimeSpan.FromSeconds(options.WindowSeconds);
        private readonly TimeSpan _block = TimeSpan.FromSeconds(options.BlockSeconds);

        public TimeSpan? BlockedFor(string key, DateTimeOffset now)
        {
            if (maxFailures == 0 || !_entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            lock (entry)
            {
                return entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
            }
        }

        public TimeSpan? RecordFailure(string key, DateTimeOffset now)
        {
            if (maxFailures == 0)
            {
                return null;
            }

            if (_entries.Count >= MaxEntries && !_entries.ContainsKey(key))
            {
                Trim(now);
            }

            var entry = _entries.GetOrAdd(key, static (_, start) => new Entry { WindowStart = start }, now);
            lock (entry)
            {
                if (now - entry.WindowStart >= _window)
                {
                    entry.WindowStart = now;
                    entry.Failures = 0;
                }

                entry.Failures++;
                if (entry.Failures >= maxFailures)
                {
                    entry.BlockedUntil = now + _block;
                }

                return entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
            }
        }

        private void Trim(DateTimeOffset now)
        {
            foreach (var (key, entry) in _entries)
            {
                if (now - entry.WindowStart >= _window && entry.BlockedUntil <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset BlockedUntil { get; set; }
    }
}
