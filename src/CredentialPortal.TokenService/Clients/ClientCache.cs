using System.Collections.Concurrent;
using System.Collections.Frozen;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// Clients by client_id, loaded from the database on first use and evicted when the credential change log names
/// their application (<see cref="CredentialChangePoller"/>). Unknown client_ids are remembered briefly so that a
/// flood of made-up ids costs no database round trips; any change notice forgets them, because it may announce a
/// new application.
/// <para>
/// Stale-if-error: a client older than <see cref="TokenServiceOptions.ClientCacheMaxAgeSeconds"/> is reloaded, but if
/// the database is unreachable (<see cref="DatabaseOutage"/>) the cached copy keeps serving for up to
/// <see cref="TokenServiceOptions.ClientCacheStaleIfErrorSeconds"/> more, and reloads are retried at most every
/// <see cref="DatabaseOutage.RetryAfter"/> meanwhile, so a hanging database does not slow every request. Evicted
/// clients are gone, not stale: a change the poller saw before the outage is honoured (such a client gets 503 until the
/// database is back).
/// </para>
/// </summary>
public sealed partial class ClientCache(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<ClientCache> logger)
{
    private const int MaxUnknownEntries = 10_000;

    /// <summary>Longer ids cannot exist (the column's length), so they cost no lookup and no memory.</summary>
    public const int MaxClientIdLength = Application.MaxClientIdLength;

    private readonly ConcurrentDictionary<string, CachedClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly TokenServiceOptions _options = options.Value;

    // Incremented by every eviction, so that a load that raced with a change is not cached.
    private long _generation;

    // When the last reload of a stale client failed for an outage (0: none since the last success).
    private long _outageSeenAt;

    /// <summary>Clients cached now (read by the cache-size gauge).</summary>
    public int Count => _clients.Count;

    public async ValueTask<CachedClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (clientId.Length > MaxClientIdLength)
        {
            return null;
        }

        var now = time.GetTimestamp();
        var stale = _clients.TryGetValue(clientId, out var cached) ? cached : null;
        if (stale is not null)
        {
            var age = time.GetElapsedTime(stale.LoadedAt, now).TotalSeconds;
            if (age < _options.ClientCacheMaxAgeSeconds)
            {
                return stale;
            }

            if (age >= _options.ClientCacheMaxAgeSeconds + _options.ClientCacheStaleIfErrorSeconds)
            {
                stale = null;
            }
            else if (Interlocked.Read(ref _outageSeenAt) is var seen and not 0 && time.GetElapsedTime(seen, now) < DatabaseOutage.RetryAfter)
            {
                return stale;
            }
        }

        if (_unknown.TryGetValue(clientId, out var since)
            && time.GetElapsedTime(since, now).TotalSeconds < _options.UnknownClientCacheSeconds)
        {
            return null;
        }

        try
        {
            var loaded = await LoadAsync(clientId, now, cancellationToken);
            if (Interlocked.Exchange(ref _outageSeenAt, 0) != 0)
            {
                LogOutageOver(logger);
            }

            return loaded;
        }
        catch (Exception ex) when (stale is not null && DatabaseOutage.IsOutage(ex))
        {
            if (Interlocked.Exchange(ref _outageSeenAt, now) == 0)
            {
                LogServingStale(logger, _options.ClientCacheStaleIfErrorSeconds, ex.GetBaseException().Message);
            }

            return stale;
        }
    }

    /// <summary>
    /// How old a cached client must be before a credential it does not know makes it reload (<see cref="RefreshAsync"/>):
    /// a flood of wrong secrets for one client_id costs at most this many round trips a second per instance.
    /// </summary>
    public static readonly TimeSpan MinRefreshAge = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The client as the database has it now, when <paramref name="cached"/> is at least <see cref="MinRefreshAge"/> old;
    /// otherwise (or when the database cannot answer) <paramref name="cached"/> itself. Called when a presented credential
    /// matches none the cached client knows: it may have been created on another instance a moment ago, before the change
    /// log reached this one, and a partner trying its new secret must neither be refused nor run into the
    /// failed-authentication throttle while it waits for the poll. Null when the application is gone.
    /// </summary>
    public async ValueTask<CachedClient?> RefreshAsync(CachedClient cached, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cached);
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(cached.LoadedAt, now) < MinRefreshAge)
        {
            return cached;
        }

        try
        {
            return await LoadAsync(cached.ClientId, now, cancellationToken);
        }
        catch (Exception ex) when (DatabaseOutage.IsOutage(ex))
        {
            return cached;
        }
    }

    /// <summary>Forgets the given applications and every unknown client_id.</summary>
    public void Evict(IReadOnlyCollection<int> applicationIds)
    {
        ArgumentNullException.ThrowIfNull(applicationIds);
        Interlocked.Increment(ref _generation);
        _unknown.Clear();
        foreach (var (clientId, client) in _clients)
        {
            if (applicationIds.Contains(client.ApplicationId))
            {
                _clients.TryRemove(clientId, out _);
            }
        }
    }

    /// <summary>Forgets everything, e.g. when change notices may have been missed.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _unknown.Clear();
        _clients.Clear();
    }

    private async Task<CachedClient?> LoadAsync(string clientId, long now, CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _generation);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var application = await db.Applications.AsNoTracking()
            .Where(a => a.ClientId == clientId)
            .Select(a => new
            {
                a.Id,
                a.OrganisationId,
                a.Name,
                a.IsActive,
                OrganisationActive = a.Organisation.IsActive,
                a.AllowSelfRotation,
                a.IsAdminAutomationClient,
                a.IsResourceServer,
                a.IntrospectionAudiences,
                a.AuthenticationPolicy,
                a.RequireDpop,
                Permissions = a.Permissions.Select(p => new { p.Api, p.Environment }).ToList(),
                Secrets = a.Secrets.Select(s => new CachedSecret(s.Id, s.Hash, s.ExpiresAt, s.DisabledAt) { Leaked = s.LeakedAt != null }).ToList(),
                Keys = a.Keys.Select(k => new { k.Id, k.PublicJwk, k.ExpiresAt, k.DisabledAt }).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);

        var stillCurrent = Interlocked.Read(ref _generation) == generation;
        if (application is null)
        {
            if (stillCurrent && _options.UnknownClientCacheSeconds > 0)
            {
                if (_unknown.Count >= MaxUnknownEntries)
                {
                    _unknown.Clear();
                }

                _unknown[clientId] = now;
            }

            return null;
        }

        var apiScopes = application.Permissions
            .Select(p => Core.Applications.ApiCatalog.ScopeFor(p.Api, p.Environment))
            .Order(StringComparer.Ordinal)
            .ToList();
        IEnumerable<string> managementScopes =
        [
            .. application.AllowSelfRotation ? [TokenScopes.CredentialsSelf] : Array.Empty<string>(),
            .. application.IsAdminAutomationClient ? [TokenScopes.CredentialsAdmin] : Array.Empty<string>(),
        ];
        var client = new CachedClient(
            application.Id,
            application.OrganisationId,
            clientId,
            application.Name,
            application.IsActive,
            application.OrganisationActive,
            application.IsResourceServer,
            apiScopes.Concat(managementScopes).ToFrozenSet(StringComparer.Ordinal),
            string.Join(' ', apiScopes),
            application.Secrets,
            now)
        {
            Keys = [.. application.Keys.Select(k => CachedKey.From(k.Id, k.PublicJwk, k.ExpiresAt, k.DisabledAt)).OfType<CachedKey>()],
            AuthenticationPolicy = application.AuthenticationPolicy,
            RequireDpop = application.RequireDpop,
            IntrospectionAudiences = application.IntrospectionAudiences,
        };
        if (stillCurrent)
        {
            _clients[clientId] = client;
        }

        return client;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unreachable ({Reason}); cached clients keep getting tokens for up to {StaleSeconds} s beyond their maximum age.")]
    private static partial void LogServingStale(ILogger logger, int staleSeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is reachable again; cached clients are reloaded as usual.")]
    private static partial void LogOutageOver(ILogger logger);
}
