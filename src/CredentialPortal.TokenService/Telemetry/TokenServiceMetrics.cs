using System.Diagnostics.Metrics;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Signing;

namespace CredentialPortal.TokenService.Telemetry;

/// <summary>
/// The token service's meter (<see cref="MeterName"/>). Every attribute has a small, fixed set of values — outcome,
/// method, algorithm, reason, limit — so no client_id, secret, token or address is ever an attribute: a partner's
/// client_id would make one time series per client (unbounded under a flood of made-up ids), and the audit log
/// already names the client of each failure. The gauges read state the service keeps anyway, on scrape.
/// </summary>
public sealed class TokenServiceMetrics
{
    public const string MeterName = "CredentialPortal.TokenService";

    private readonly Counter<long> _tokenRequests;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _rateLimited;

    public TokenServiceMetrics(IMeterFactory meters, ClientCache cache, CredentialChangePoller poller, SigningKeyCache keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // From the host's factory, so that two hosts in one process (the tests) each count only their own requests.
        var meter = meters.Create(MeterName);
        _tokenRequests = meter.CreateCounter<long>("credentialportal.token.requests", "{request}",
            "Token requests by outcome (issued or the OAuth error code), client authentication method and signing algorithm.");
        _authenticationFailures = meter.CreateCounter<long>("credentialportal.token.authentication_failures", "{failure}",
            "Failed client authentications by reason (unknown_client, wrong_secret, expired_secret, disabled_secret, …).");
        _rateLimited = meter.CreateCounter<long>("credentialportal.token.rate_limited", "{request}",
            "Token requests refused with slow_down: limit=client_rate (the client's token bucket) or failed_authentication (its id or address is blocked).");
        meter.CreateObservableGauge("credentialportal.client_cache.clients", () => cache.Count, "{client}",
            "Clients held in this instance's client cache.");
        meter.CreateObservableGauge("credentialportal.credential_changes.poll_age",
            () => poller.LastPolledAt is { } at ? (time.GetUtcNow() - at).TotalSeconds : double.NaN, "s",
            "Seconds since this instance last read the credential change log: how stale its cache may be. Grows while the database is unreachable.");
        meter.CreateObservableGauge("credentialportal.signing_key.age", () => SigningKeyAge(keys, time), "s",
            "Seconds since the key that signs tokens became active; rotation replaces it every TokenService:KeyRotationDays.");
    }

    /// <summary>A request that got a token.</summary>
    public void TokenIssued(string authenticationMethod, string algorithm) =>
        _tokenRequests.Add(1, new("outcome", "issued"), new("auth_method", authenticationMethod), new("algorithm", algorithm));

    /// <summary>A request answered with an OAuth error (its code only; the description may name what the client sent).</summary>
    public void TokenRefused(OAuthError error) => _tokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", error?.Code));

    public void AuthenticationFailed(string reason) => _authenticationFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts a refusal by <paramref name="limit"/> when <paramref name="wait"/> is set; returns it unchanged.</summary>
    public TimeSpan? RateLimited(TimeSpan? wait, string limit)
    {
        if (wait is not null)
        {
            _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));
        }

        return wait;
    }

    private static IEnumerable<Measurement<double>> SigningKeyAge(SigningKeyCache keys, TimeProvider time) =>
        keys.ActiveKey is { } active
            ? [new Measurement<double>((time.GetUtcNow().UtcDateTime - active.ActivatesAt).TotalSeconds, new KeyValuePair<string, object?>("algorithm", active.Algorithm))]
            : [];
}
