using CredentialPortal.Core.Signing;

namespace CredentialPortal.TokenService.Signing;

/// <summary>When a key to be created signs, and until when it is published.</summary>
public readonly record struct KeyWindow(DateTime ActivatesAt, DateTime RetiresAt, DateTime UnpublishAt);

/// <summary>
/// The signing keys' schedule, on times alone (no database, no clock of its own): which key signs at a moment, which are
/// published, which keys are missing (the first one, or the successor once it is due to be published ahead of its
/// turn), and when the keys must be reread.
/// </summary>
public sealed class SigningKeyRotation(string algorithm, TimeSpan rotation, TimeSpan publishAhead, TimeSpan tokenLifetime, TimeSpan refreshInterval)
{
    /// <summary>How much longer than its last token's expiry a retired key stays published: clock skew at relying parties.</summary>
    public static readonly TimeSpan UnpublishMargin = TimeSpan.FromMinutes(5);

    /// <summary>How long a kept key set serves during a database outage before the keys are reread again.</summary>
    public static readonly TimeSpan OutageRetry = TimeSpan.FromSeconds(30);

    public static SigningKeyRotation From(TokenServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SigningKeyRotation(options.Algorithm, TimeSpan.FromDays(options.KeyRotationDays),
            TimeSpan.FromDays(options.KeyPublishAheadDays), TimeSpan.FromSeconds(options.LifetimeSeconds),
            TimeSpan.FromSeconds(options.KeyRefreshSeconds));
    }

    /// <summary>The algorithm new keys get and the signing key must have (<c>RS256</c> or <c>ES256</c>).</summary>
    public string Algorithm { get; } = algorithm;

    /// <summary>The key that signs at <paramref name="now"/>: of the configured algorithm, the latest to have activated.</summary>
    public SigningKey? Active(IEnumerable<SigningKey> keys, DateTime now) => keys
        .Where(k => k.Algorithm == Algorithm && k.ActivatesAt <= now && now < k.RetiresAt)
        .OrderByDescending(k => k.ActivatesAt).ThenBy(k => k.Id, StringComparer.Ordinal)
        .FirstOrDefault();

    /// <summary>The keys a JWKS shows at <paramref name="now"/>, oldest first.</summary>
    public static IReadOnlyList<SigningKey> Published(IEnumerable<SigningKey> keys, DateTime now) => keys
        .Where(k => k.CreatedAt <= now && now < k.UnpublishAt)
        .OrderBy(k => k.ActivatesAt).ThenBy(k => k.Id, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// The keys to create at <paramref name="now"/>: one that signs from now when none does, and its successor (signing
    /// from its retirement) once that is within <c>KeyPublishAheadDays</c> and none exists yet.
    /// </summary>
    public IReadOnlyList<KeyWindow> Missing(IReadOnlyCollection<SigningKey> keys, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var missing = new List<KeyWindow>();
        var activeRetiresAt = Active(keys, now)?.RetiresAt;
        if (activeRetiresAt is null)
        {
            var first = WindowFrom(now);
            missing.Add(first);
            activeRetiresAt = first.RetiresAt;
        }

        var retiresAt = activeRetiresAt.Value;
        if (now >= retiresAt - publishAhead && !keys.Any(k => k.Algorithm == Algorithm && k.ActivatesAt >= retiresAt))
        {
            missing.Add(WindowFrom(retiresAt));
        }

        return missing;
    }

    public bool NeedsNewKey(IReadOnlyCollection<SigningKey> keys, DateTime now) => Missing(keys, now).Count > 0;

    /// <summary>
    /// When the keys read at <paramref name="now"/> must be reread at the latest: the next periodic refresh, the signing
    /// key's retirement, or the moment its successor is due to be published, whichever comes first.
    /// </summary>
    public DateTime RefreshAt(SigningKey active, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(active);
        var nextRefresh = now + refreshInterval;
        var successorDue = active.RetiresAt - publishAhead;
        return new[] { nextRefresh, active.RetiresAt, successorDue > now ? successorDue : nextRefresh }.Min();
    }

    /// <summary>When to try the database again after an outage at <paramref name="now"/>: soon, never after the signing key retires.</summary>
    public static DateTime RetryAfterOutage(DateTime now, DateTime signingRetiresAt) =>
        now + OutageRetry < signingRetiresAt ? now + OutageRetry : signingRetiresAt;

    private KeyWindow WindowFrom(DateTime activatesAt)
    {
        var retiresAt = activatesAt + rotation;
        // Published until every token it signed has expired, plus a margin for clock skew at relying parties.
        return new KeyWindow(activatesAt, retiresAt, retiresAt + tokenLifetime + UnpublishMargin);
    }
}
