using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Signing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
}

/// <summary>
/// Signing keys in the database, created on first need and rotated automatically. Each key object and its
/// <see cref="SigningCredentials"/> are built once and kept for the life of the process (IdentityModel caches signature
/// providers per key), never per request. Key creation runs under a table lock, so instances starting together agree
/// on one key.
/// </summary>
public sealed class SigningKeyStore(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IDataProtectionProvider dataProtection,
    IOptions<TokenServiceOptions> options,
    TimeProvider time) : IDisposable
{
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("CredentialPortal.TokenService.SigningKeys");
    private readonly TokenServiceOptions _options = options.Value;
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
            var retryAt = time.GetUtcNow().UtcDateTime.AddSeconds(30);
            var kept = new KeySet(current.Signing, current.SigningRetiresAt, current.Published, current.Jwks,
                retryAt < current.SigningRetiresAt ? retryAt : current.SigningRetiresAt);
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

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await LoadPublishedAsync(db, now, cancellationToken);
            if (NeedsNewKey(rows, now))
            {
                rows = await CreateKeysAsync(db, now, cancellationToken);
            }

            _current = BuildKeySet(rows, now);
            return _current;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private static Task<List<SigningKey>> LoadPublishedAsync(CredentialPortalDbContext db, DateTime now, CancellationToken cancellationToken) =>
        db.SigningKeys.AsNoTracking().Where(k => k.UnpublishAt > now).ToListAsync(cancellationToken);

    private SigningKey? Active(IEnumerable<SigningKey> rows, DateTime now) => rows
        .Where(k => k.Algorithm == _options.Algorithm && k.ActivatesAt <= now && now < k.RetiresAt)
        .OrderByDescending(k => k.ActivatesAt).ThenBy(k => k.Id, StringComparer.Ordinal)
        .FirstOrDefault();

    private bool NeedsNewKey(List<SigningKey> rows, DateTime now)
    {
        var active = Active(rows, now);
        if (active is null)
        {
            return true;
        }

        var publishSuccessorAt = active.RetiresAt.AddDays(-_options.KeyPublishAheadDays);
        return now >= publishSuccessorAt && !rows.Any(k => k.Algorithm == _options.Algorithm && k.ActivatesAt >= active.RetiresAt);
    }

    private async Task<List<SigningKey>> CreateKeysAsync(CredentialPortalDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        // SQLite's BEGIN IMMEDIATE already serialises writers; the servers need an explicit table lock so that a second
        // instance rereads after the first one's commit instead of creating a key of its own.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE \"SigningKeys\" IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        }
        else if (db.Database.IsSqlServer())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT TOP (0) 1 FROM [SigningKeys] WITH (TABLOCKX, HOLDLOCK)", cancellationToken);
        }

        var rows = await LoadPublishedAsync(db, now, cancellationToken);
        var lifetime = TimeSpan.FromSeconds(_options.LifetimeSeconds);
        var rotation = TimeSpan.FromDays(_options.KeyRotationDays);
        var active = Active(rows, now);
        if (active is null)
        {
            active = NewKey(now, activatesAt: now, rotation, lifetime);
            db.SigningKeys.Add(active);
            rows.Add(active);
        }

        if (NeedsNewKey(rows, now))
        {
            var successor = NewKey(now, activatesAt: active.RetiresAt, rotation, lifetime);
            db.SigningKeys.Add(successor);
            rows.Add(successor);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private SigningKey NewKey(DateTime now, DateTime activatesAt, TimeSpan rotation, TimeSpan lifetime)
    {
        var retiresAt = activatesAt + rotation;
        // Published until every token it signed has expired, plus a margin for clock skew at relying parties.
        var unpublishAt = retiresAt + lifetime + TimeSpan.FromMinutes(5);
        var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        byte[] pkcs8;
        string jwk;
        if (_options.Algorithm == ES256)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            pkcs8 = ec.ExportPkcs8PrivateKey();
            var p = ec.ExportParameters(includePrivateParameters: false);
            jwk = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "EC", ["use"] = "sig", ["alg"] = ES256, ["kid"] = kid, ["crv"] = "P-256",
                ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
            });
        }
        else
        {
            using var rsa = RSA.Create(2048);
            pkcs8 = rsa.ExportPkcs8PrivateKey();
            var p = rsa.ExportParameters(includePrivateParameters: false);
            jwk = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = RS256, ["kid"] = kid,
                ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
            });
        }

        try
        {
            return new SigningKey
            {
                Id = kid,
                Algorithm = _options.Algorithm,
                CreatedAt = now,
                ActivatesAt = activatesAt,
                RetiresAt = retiresAt,
                UnpublishAt = unpublishAt,
                ProtectedPrivateKey = Convert.ToBase64String(_protector.Protect(pkcs8)),
                PublicJwk = jwk,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private KeySet BuildKeySet(List<SigningKey> rows, DateTime now)
    {
        var published = rows.Where(k => k.CreatedAt <= now).OrderBy(k => k.ActivatesAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
        var active = Active(published, now) ?? throw new InvalidOperationException("No active signing key after key creation.");
        var keys = published.Select(KeyFor).ToList();
        var activeKey = KeyFor(active);
        var signing = new SigningCredentials(activeKey, active.Algorithm);
        ActiveKey = active;

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

        var nextRefresh = now.AddSeconds(_options.KeyRefreshSeconds);
        var successorDue = active.RetiresAt.AddDays(-_options.KeyPublishAheadDays);
        var refreshAt = new[] { nextRefresh, active.RetiresAt, successorDue > now ? successorDue : nextRefresh }.Min();
        return new KeySet(signing, active.RetiresAt, keys, buffer.ToArray(), refreshAt);
    }

    private SecurityKey KeyFor(SigningKey row)
    {
        if (_keys.TryGetValue(row.Id, out var existing))
        {
            return existing;
        }

        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(row.ProtectedPrivateKey));
        try
        {
            // The RSA/ECDsa objects live as long as the process: IdentityModel caches signature providers per key.
            SecurityKey key;
            if (row.Algorithm == ES256)
            {
                var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(pkcs8, out _);
                key = new ECDsaSecurityKey(ec) { KeyId = row.Id };
            }
            else
            {
                var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                key = new RsaSecurityKey(rsa) { KeyId = row.Id };
            }

            _keys[row.Id] = key;
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
