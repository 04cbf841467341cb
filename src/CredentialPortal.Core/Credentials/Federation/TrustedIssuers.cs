using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Credentials;

/// <summary>A trusted issuer as listed: from configuration (not removable here) or added by an administrator.</summary>
public sealed record TrustedIssuerEntry(string Issuer, int? Id, DateTime? AddedAt, string? AddedBy)
{
    public bool FromConfiguration => Id is null;
}

/// <summary>
/// The issuers partners may federate with: <see cref="FederationOptions.TrustedIssuers"/> and the <see cref="TrustedIssuer"/>
/// rows. Held in memory and reread at most every <see cref="RereadAfter"/>, so that the token endpoint asks the database
/// nothing per request and an issuer removed on one instance stops being trusted on every instance within that time (at
/// once on the instance that removed it).
/// </summary>
public sealed class TrustedIssuerList(IServiceScopeFactory scopes, IOptions<FederationOptions> options, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan RereadAfter = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Snapshot? _snapshot;

    public async Task<IReadOnlyList<TrustedIssuerEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        (await CurrentAsync(cancellationToken)).Entries;

    public async Task<bool> IsTrustedAsync(string? issuer, CancellationToken cancellationToken = default) =>
        issuer is not null && (await CurrentAsync(cancellationToken)).Issuers.Contains(issuer);

    /// <summary>Rereads the rows at the next question (after a change on this instance).</summary>
    public void Invalidate() => _snapshot = null;

    public void Dispose() => _reading.Dispose();

    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_snapshot is { } fresh && now - fresh.ReadAt < RereadAfter)
        {
            return fresh;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot is { } other && now - other.ReadAt < RereadAfter)
            {
                return other;
            }

            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var rows = await db.TrustedIssuers.AsNoTracking().OrderBy(i => i.Issuer).ToListAsync(cancellationToken);
            List<TrustedIssuerEntry> entries =
            [
                .. options.Value.TrustedIssuers.Select(i => i.Trim()).Distinct(StringComparer.Ordinal).Select(i => new TrustedIssuerEntry(i, null, null, null)),
                .. rows.Select(r => new TrustedIssuerEntry(r.Issuer, r.Id, r.AddedAt, r.AddedBy)),
            ];
            var snapshot = new Snapshot(entries, [.. entries.Select(e => e.Issuer)], now);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _reading.Release();
        }
    }

    private sealed record Snapshot(IReadOnlyList<TrustedIssuerEntry> Entries, HashSet<string> Issuers, DateTime ReadAt);
}

/// <summary>An administrator's additions to and removals from the trusted issuers, audited.</summary>
public sealed class TrustedIssuerManagement(
    CredentialPortalDbContext db,
    AuditLog audit,
    TrustedIssuerList list,
    IOptions<FederationOptions> options,
    IHostEnvironment environment,
    TimeProvider time)
{
    public const string IssuerField = "Issuer";

    /// <summary>Why <paramref name="issuer"/> may not be trusted (null when it may), for this form and for a federated identity's.</summary>
    public static string? RefusalOf(string? issuer, FederationOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (TrustedIssuerRules.Normalize(issuer) is not { } normalized)
        {
            return $"Enter the issuer's identifier: a full https:// address without query, as its tokens' iss (at most {FederatedIdentity.MaxIssuerLength} characters).";
        }

        return normalized.StartsWith("http://", StringComparison.Ordinal) && !options.AllowHttp && !environment.IsDevelopment()
            ? "Use an https:// issuer: keys are not fetched over plain HTTP (TokenService:Federation:AllowHttp is for closed test networks)."
            : null;
    }

    public async Task<FieldResult<TrustedIssuer>> AddAsync(string? issuer, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (RefusalOf(issuer, options.Value, environment) is { } refusal)
        {
            return FieldResult.Refused<TrustedIssuer>(IssuerField, refusal);
        }

        var normalized = TrustedIssuerRules.Normalize(issuer)!;
        if (await list.IsTrustedAsync(normalized, cancellationToken) || await db.TrustedIssuers.AnyAsync(i => i.Issuer == normalized, cancellationToken))
        {
            return FieldResult.Refused<TrustedIssuer>(IssuerField, $"{normalized} is trusted already.");
        }

        var added = new TrustedIssuer { Issuer = normalized, AddedAt = time.GetUtcNow().UtcDateTime, AddedBy = actor.Name };
        db.TrustedIssuers.Add(added);
        audit.Add(AuditEventTypes.TrustedIssuerAdded, actor, $"Trusted issuer {normalized} added.");
        await db.SaveChangesAsync(cancellationToken);
        list.Invalidate();
        return FieldResult.Done(added);
    }

    /// <summary>
    /// Stops trusting an issuer added here: the federated identities naming it obtain no token from then on (on every
    /// instance within <see cref="TrustedIssuerList.RereadAfter"/>). False when there is no such row.
    /// </summary>
    public async Task<bool> RemoveAsync(int id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (await db.TrustedIssuers.FindAsync([id], cancellationToken) is not { } issuer)
        {
            return false;
        }

        db.TrustedIssuers.Remove(issuer);
        var identities = await db.FederatedIdentities.CountAsync(f => f.Issuer == issuer.Issuer, cancellationToken);
        audit.Add(AuditEventTypes.TrustedIssuerRemoved, actor,
            $"Trusted issuer {issuer.Issuer} removed; {identities} federated identit{(identities == 1 ? "y names" : "ies name")} it.");
        await db.SaveChangesAsync(cancellationToken);
        list.Invalidate();
        return true;
    }
}
