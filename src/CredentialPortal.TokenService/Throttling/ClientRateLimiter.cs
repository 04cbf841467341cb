using System.Collections.Concurrent;
using CredentialPortal.TokenService.Telemetry;

namespace CredentialPortal.TokenService.Throttling;

/// <summary>
/// A token bucket per authenticated application (so made-up client_ids create no buckets), one limiter per endpoint
/// (keyed service: <see cref="TokenRequests"/>, <see cref="Introspection"/>). Hand-written rather than
/// System.Threading.RateLimiting so that it follows the injected <see cref="TimeProvider"/> and reports an exact
/// Retry-After.
/// </summary>
public sealed class ClientRateLimiter(RateLimitOptions options, TimeProvider time, TokenServiceMetrics metrics, string reason)
{
    public const string TokenRequests = "client_rate";
    public const string Introspection = "introspection_rate";

    private readonly RateLimitOptions _options = options;
    private readonly ConcurrentDictionary<int, Bucket> _buckets = new();

    /// <summary>Takes one permit; returns null when allowed, otherwise how long to wait.</summary>
    public TimeSpan? TryAcquire(int applicationId)
    {
        if (_options.PermitsPerSecond <= 0)
        {
            return null;
        }

        var bucket = _buckets.GetOrAdd(applicationId, static (_, burst) => new Bucket(burst), _options.Burst);
        var now = time.GetUtcNow();
        lock (bucket)
        {
            var elapsed = (now - bucket.UpdatedAt).TotalSeconds;
            if (elapsed > 0)
            {
                bucket.Tokens = Math.Min(_options.Burst, bucket.Tokens + (elapsed * _options.PermitsPerSecond));
                bucket.UpdatedAt = now;
            }

            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }

            return metrics.RateLimited(TimeSpan.FromSeconds((1 - bucket.Tokens) / _options.PermitsPerSecond), reason);
        }
    }

    private sealed class Bucket(int burst)
    {
        public double Tokens { get; set; } = burst;
        public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.MinValue;
    }
}
