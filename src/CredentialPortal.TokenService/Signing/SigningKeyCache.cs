using System.Text.Json;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Signing;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Signing;

/// <summary>The keys in use at one moment: the one that signs, and every key a token may still carry.</summary>
public sealed class KeySet(SigningCredentials signing, DateTime signingRetiresAt, IReadOnlyList<SecurityKey> published, byte[] jwks,
    DateTime refreshAt)
{
    public SigningCredentials Signing { get; } = signing;

    /// <summary>Until when <see cref="Signing"/> may sign: the set stays usable until then if the database is unreachable.</summary>
    public DateTime SigningRetiresAt { get; } = signingRetiresAt;

    public IReadOnlyList<SecurityKey> Published { get; } = published;

    /// <summary>The JWKS document (public members only), serialised once.</summary>
    public byte[] Jwks { get; } = jwks;

    /// <summary>When the set must be reread at the latest: the next refresh or the signing key's retirement.</summary>
    public DateTime RefreshAt { get; } = refreshAt;

    /// <summary>The same keys, reread at <paramref name="refreshAt"/> instead.</summary>
    public KeySet RereadAt(DateTime refreshAt) => new(Signing, SigningRetiresAt, Published, Jwks, refreshAt);
}

/// <summary>
/// The current <see cref="KeySet"/> of this process: reread from <see cref="SigningKeyRepository"/> when
/// <see cref="SigningKeyRotation"/> says it is due, kept through a database outage while its signing key may still sign.
/// Each key object and its <see cref="SigningCredentials"/> are built once and kept for the life of the process
/// (IdentityModel caches signature providers per key), never per request.
/// </summary>
public sealed class SigningKeyCache(SigningKeyRepository repository, SigningKeyFactory factory, SigningKeyRotation rotation, TimeProvider time)
    : IDisposable
{
    private readonly Dictionary<string, SecurityKey> _keys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private KeySet? _current;

    /// <summary>The key that signs now (null before the first load), read by the signing-key age gauge.</summary>
    public SigningKey? ActiveKey { get; private set; }

    /// <summary>The key objects themselves stay alive until the process ends (see the class remarks).</summary>
    public void Dispose() => _refreshGate.Dispose();

    /// <summary>
    /// The current key set; rereads the database only when it is due. If that fails while the current signing key may
    /// still sign, tokens keep flowing on it: a database outage should not stop token issuance.
    /// </summary>
    public ValueTask<KeySet> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        return current is not null && time.GetUtcNow().UtcDateTime < current.RefreshAt
            ? ValueTask.FromResult(current)
            : new ValueTask<KeySet>(RefreshOrKeepAsync(cancellationToken));
    }

    private async Task<KeySet> RefreshOrKeepAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshAsync(force: false, cancellationToken);
        }
        catch (Exception ex) when (DatabaseOutage.IsOutage(ex)
            && _current is { } current && time.GetUtcNow().UtcDateTime < current.SigningRetiresAt)
        {
            // Retry in a while rather than on every request.
            var kept = current.RereadAt(SigningKeyRotation.RetryAfterOutage(time.GetUtcNow().UtcDateTime, current.SigningRetiresAt));
            _current = kept;
            return kept;
        }
    }

    /// <summary>Rereads the keys, creating or rotating as needed.</summary>
    public async Task<KeySet> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (!force && _current is { } fresh && now < fresh.RefreshAt)
            {
                return fresh;
            }

            _current = BuildKeySet(await repository.LoadCreatingMissingAsync(now, cancellationToken), now);
            return _current;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private KeySet BuildKeySet(List<SigningKey> rows, DateTime now)
    {
        var published = SigningKeyRotation.Published(rows, now);
        var active = rotation.Active(published, now) ?? throw new InvalidOperationException("No active signing key after key creation.");
        var keys = published.Select(KeyFor).ToList();
        var signing = new SigningCredentials(KeyFor(active), active.Algorithm);
        ActiveKey = active;
        return new KeySet(signing, active.RetiresAt, keys, Jwks(published), rotation.RefreshAt(active, now));
    }

    /// <summary>The JWKS document: each published key's public JWK as stored.</summary>
    private static byte[] Jwks(IReadOnlyList<SigningKey> published)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in published)
            {
                using var jwk = JsonDocument.Parse(key.PublicJwk);
                jwk.RootElement.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private SecurityKey KeyFor(SigningKey row)
    {
        if (!_keys.TryGetValue(row.Id, out var key))
        {
            key = factory.Load(row);
            _keys[row.Id] = key;
        }

        return key;
    }
}
