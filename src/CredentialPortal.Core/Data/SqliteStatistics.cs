using CredentialPortal.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CredentialPortal.Core.Data;

/// <summary>
/// Keeps SQLite's planner statistics current with <c>PRAGMA optimize</c>, as SQLite recommends for long-running
/// applications: at start (so a database restored, imported or grown while the product was stopped is planned well from
/// the first request, with no manual <c>ANALYZE</c>) and every hour after. Without statistics SQLite guesses, and picks
/// a poor index for the list pages' sorted, filtered queries on large tables. Flag 0x10000 checks every table, not only
/// those this connection queried (a pooled connection has no such history); SQLite limits each table's analysis, so a
/// pass takes milliseconds and mostly does nothing.
/// </summary>
public sealed class SqliteStatistics(IDbContextFactory<CredentialPortalDbContext> contexts, TimeProvider time, ILogger<SqliteStatistics> logger)
    : PeriodicBackgroundService(TimeSpan.FromHours(1), time)
{
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await UpdateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not migrated yet, or the file is busy: statistics are an optimisation, the next pass tries again.
            logger.LogDebug(ex, "PRAGMA optimize failed; retrying in an hour");
        }
    }

    public async Task UpdateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002;", cancellationToken);
    }
}
