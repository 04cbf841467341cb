using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>
/// Single use of client assertions across every instance sharing the database (RFC 7523 §3, item 7): accepting an
/// assertion inserts its client_id and <c>jti</c> under a primary key unless the key is there already, so the second
/// use — on this instance or any other — finds the row and is refused. Rows live until the assertion's <c>exp</c>,
/// after which the assertion is refused as expired anyway; <see cref="AssertionReplayPruner"/> deletes them.
/// </summary>
/// <remarks>
/// Group commit: a commit costs far more than an insert (a context, a transaction, the WAL write or the round trip to
/// the server), so the uses that arrive while one batch is being written are written together in the next, one
/// transaction for all of them. A lone request is written at once, so nothing waits when the endpoint is quiet; under
/// load the commit's cost is shared by the batch, which took the replay check from about 300 to a few tens of CPU-µs
/// per token. The insert is the claim: "insert if absent" tells each use apart even when the same jti appears twice
/// in one batch or reaches two instances at once.
/// </remarks>
public sealed class AssertionReplayStore(IDbContextFactory<CredentialPortalDbContext> contexts, DatabaseOptions database)
{
    /// <summary>The most uses written in one transaction: a bound on how long the first of them waits.</summary>
    public const int MaxBatch = 256;

    private const string IdParameter = "@id";
    private const string ExpiresAtParameter = "@expires_at";

    private readonly ConcurrentQueue<PendingUse> _pending = new();
    private string? _insertIfAbsent;
    private int _writing;

    /// <summary>Records the use; false when the same client_id and jti were used before.</summary>
    public Task<bool> TryUseAsync(string clientId, string jti, DateTime expiresAt, CancellationToken cancellationToken)
    {
        var use = new PendingUse(IdFor(clientId, jti), expiresAt);
        _pending.Enqueue(use);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = WriteAsync();
        }

        // A request that gives up still leaves its use to be written: the jti may then count as used, never the reverse.
        return use.Written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One writer at a time: writes batches until the queue is empty, then hands the role to the next use.</summary>
    private async Task WriteAsync()
    {
        var batch = new List<PendingUse>(MaxBatch);
        while (true)
        {
            while (batch.Count < MaxBatch && _pending.TryDequeue(out var use))
            {
                batch.Add(use);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);
                // A use queued between the last dequeue and the release found a writer busy: take the role back for it.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await WriteBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingUse> batch)
    {
        try
        {
            var inserted = await InsertAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Written.TrySetResult(inserted[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad row, or a lost race with another instance's transaction, must not fail the others: each on its own.
            foreach (var use in batch)
            {
                await WriteBatchAsync([use]);
            }
        }
        catch (Exception ex)
        {
            batch[0].Written.TrySetException(ex);
        }
    }

    /// <summary>Inserts the batch in one transaction; for each use, whether its row is new.</summary>
    private async Task<bool[]> InsertAsync(List<PendingUse> batch)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var sql = _insertIfAbsent ??= InsertIfAbsentSql(db, database.Provider);
        // Opened through EF Core, so the connection gets the settings its interceptors give every connection.
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var transaction = batch.Count > 1 ? await connection.BeginTransactionAsync() : null;
        var inserted = batch.Count > 1 && connection.CanCreateBatch
            ? await InsertInOneRoundTripAsync(connection, transaction, sql, batch)
            : await InsertOneByOneAsync(connection, transaction, sql, batch);
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }

        return inserted;
    }

    /// <summary>
    /// A database server (PostgreSQL, SQL Server) gets the whole batch as one ADO.NET batch: one round trip instead of
    /// one per use, which is most of what a use costs there. Each statement still reports its own affected rows.
    /// </summary>
    private static async Task<bool[]> InsertInOneRoundTripAsync(DbConnection connection, DbTransaction? transaction, string sql,
        List<PendingUse> batch)
    {
        await using var statements = connection.CreateBatch();
        statements.Transaction = transaction;
        foreach (var use in batch)
        {
            var insert = statements.CreateBatchCommand();
            insert.CommandText = sql;
            AddParameters(insert.Parameters, insert.CreateParameter, use);
            statements.BatchCommands.Add(insert);
        }

        await statements.ExecuteNonQueryAsync();
        return statements.BatchCommands.Select(statement => statement.RecordsAffected == 1).ToArray();
    }

    /// <summary>SQLite runs in process, where a statement costs no round trip (and its ADO.NET provider has no batches).</summary>
    private static async Task<bool[]> InsertOneByOneAsync(DbConnection connection, DbTransaction? transaction, string sql,
        List<PendingUse> batch)
    {
        var inserted = new bool[batch.Count];
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = sql;
        for (var i = 0; i < batch.Count; i++)
        {
            insert.Parameters.Clear();
            AddParameters(insert.Parameters, insert.CreateParameter, batch[i]);
            inserted[i] = await insert.ExecuteNonQueryAsync() == 1;
        }

        return inserted;
    }

    private static void AddParameters(DbParameterCollection parameters, Func<DbParameter> create, PendingUse use)
    {
        var id = create();
        id.ParameterName = IdParameter;
        id.Value = use.Id;
        var expiresAt = create();
        expiresAt.ParameterName = ExpiresAtParameter;
        expiresAt.Value = use.ExpiresAt;
        parameters.Add(id);
        parameters.Add(expiresAt);
    }

    /// <summary>
    /// "Insert unless the key is there", one row affected or none, with the names the model gives the table. SQLite and
    /// PostgreSQL say it with ON CONFLICT, which also waits out another transaction inserting the same key; SQL Server
    /// with a key-range lock on the existence check.
    /// </summary>
    private static string InsertIfAbsentSql(CredentialPortalDbContext db, DatabaseProvider provider)
    {
        var entity = db.Model.FindEntityType(typeof(ClientAssertionUse))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var id = sql.DelimitIdentifier(entity.FindProperty(nameof(ClientAssertionUse.Id))!.GetColumnName(store)!);
        var expiresAt = sql.DelimitIdentifier(entity.FindProperty(nameof(ClientAssertionUse.ExpiresAt))!.GetColumnName(store)!);
        return provider == DatabaseProvider.SqlServer
            ? $"INSERT INTO {table} ({id}, {expiresAt}) SELECT {IdParameter}, {ExpiresAtParameter} WHERE NOT EXISTS (SELECT 1 FROM {table} WITH (UPDLOCK, HOLDLOCK) WHERE {id} = {IdParameter})"
            : $"INSERT INTO {table} ({id}, {expiresAt}) VALUES ({IdParameter}, {ExpiresAtParameter}) ON CONFLICT DO NOTHING";
    }

    /// <summary>A fixed-length key whatever the client sent; the jti is the client's to choose, so it is scoped by client_id.</summary>
    public static string IdFor(string clientId, string jti) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(clientId + "\n" + jti)));

    private sealed record PendingUse(string Id, DateTime ExpiresAt)
    {
        public TaskCompletionSource<bool> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Deletes replay-store rows whose assertions have expired, once a minute.</summary>
public sealed class AssertionReplayPruner(IDbContextFactory<CredentialPortalDbContext> contexts, TimeProvider time)
    : PeriodicBackgroundService(TimeSpan.FromMinutes(1), time)
{
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PruneAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be unreachable or not yet migrated: the next pass tries again; expired rows do no harm.
        }
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ClientAssertionUses.Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
    }
}
