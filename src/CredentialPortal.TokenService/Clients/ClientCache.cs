using System.Collections.Concurrent;
using System.Collections.Frozen;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// Clients by client_id, loaded from the database on first use and evicted when the credential change log names
/// their application (<see cref="CredentialChangePoller"/>). Unknown client_ids are remembered briefly so that a
/// flood of made-up ids costs no database round trips; any change notice forgets them, because it may announce a
/// new application.
/// </summary>
public sealed class ClientCache(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IOptions<TokenServiceOptions> options,
    TimeProvider time)
{
    private const int MaxUnknownEntries = 10_000;

    /// <summary>Longer ids cannot exist (the column holds 64 characters), so they cost no lookup and no memory.</summary>
    public const int MaxClientIdLength = 64;

    private readonly ConcurrentDictionary<string, CachedClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly TokenServiceOptions _options = options.Value;

    // Incremented by every eviction, so that a load that raced with a change is not cached.
    private long _generation;

    public async ValueTask<CachedClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (clientId.Length > MaxClientIdLength)
        {
            return null;
        }

        var now = time.GetTimestamp();
        if (_clients.TryGetValue(clientId, out var cached)
            && time.GetElapsedTime(cached.LoadedAt, now).TotalSeconds < _options.ClientCacheMaxAgeSeconds)
        {
            return cached;
        }

        if (_unknown.TryGetValue(clientId, out var since)
            && time.GetElapsedTime(since, now).TotalSeconds < _options.UnknownClientCacheSeconds)
        {
            return null;
        }

        return await LoadAsync(clientId, now, cancellationToken);
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
                Permissions = a.Permissions.Select(p => new { p.Api, p.Environment }).ToList(),
                Secrets = a.Secrets.Select(s => new CachedSecret(s.Id, s.Hash, s.ExpiresAt, s.DisabledAt)).ToList(),
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
            now);
        if (stillCurrent)
        {
            _clients[clientId] = client;
        }

        return client;
    }
}
