using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Throttling;

/// <summary>
/// Counts failed authentications per presented client_id in a fixed window; past the limit the client_id is blocked for
/// a while. Other client_ids are unaffected. The table is bounded: when full, expired entries are dropped, and if that
/// is not enough it starts over (an attacker cycling through millions of ids only resets counters of made-up ids).
/// </summary>
public sealed class FailedAuthenticationThrottle(IOptions<TokenServiceOptions> options, TimeProvider time)
{
    private const int MaxEntries = 100_000;

    private readonly FailedAuthenticationOptions _options = options.Value.FailedAuthentication;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long the client_id stays blocked, or null when it is not blocked.</summary>
    public TimeSpan? BlockedFor(string clientId)
    {
        if (_options.MaxFailures == 0 || !_entries.TryGetValue(clientId, out var entry))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (entry)
        {
            return entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
        }
    }

    /// <summary>Records a failure; returns the block duration when this failure starts or extends a block.</summary>
    public TimeSpan? RecordFailure(string clientId)
    {
        if (_options.MaxFailures == 0)
        {
            return null;
        }

        if (_entries.Count >= MaxEntries && !_entries.ContainsKey(clientId))
        {
            Trim();
        }

        var now = time.GetUtcNow();
        var entry = _entries.GetOrAdd(clientId, static (_, start) => new Entry { WindowStart = start }, now);
        lock (entry)
        {
            if (now - entry.WindowStart >= TimeSpan.FromSeconds(_options.WindowSeconds))
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }

            entry.Failures++;
            if (entry.Failures >= _options.MaxFailures)
            {
                entry.BlockedUntil = now.AddSeconds(_options.BlockSeconds);
                return entry.BlockedUntil - now;
            }

            return entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
        }
    }

    private void Trim()
    {
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(_options.WindowSeconds);
        foreach (var (clientId, entry) in _entries)
        {
            if (now - entry.WindowStart >= window && entry.BlockedUntil <= now)
            {
                _entries.TryRemove(clientId, out _);
            }
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset BlockedUntil { get; set; }
    }
}
