using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Data;

/// <summary>
/// A consistent copy of the embedded SQLite database while the product runs, with SQLite's online backup API: it reads
/// one snapshot (in write-ahead-log mode writers carry on meanwhile), so the copy holds everything committed before it
/// started and nothing half-written. Copying the file instead can miss what is still in <c>credentialportal.db-wal</c>.
/// </summary>
public sealed class SqliteBackup(IDbContextFactory<CredentialPortalDbContext> contexts)
{
    /// <summary>Writes the copy to <paramref name="destination"/>, which must not exist; returns its size in bytes.</summary>
    public async Task<long> BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        destination = Path.GetFullPath(destination);
        if (File.Exists(destination))
        {
            throw new IOException($"{destination} exists; a backup never overwrites a file.");
        }

        // Written under another name and renamed when complete: a backup interrupted half-way leaves no file that looks whole.
        var partial = destination + ".partial";
        File.Delete(partial);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var source = (SqliteConnection)db.Database.GetDbConnection();
        // Opening a database that is not there would create an empty one, and back that up.
        var file = new SqliteConnectionStringBuilder(source.ConnectionString).DataSource;
        if (!File.Exists(file))
        {
            throw new IOException($"there is no database at {Path.GetFullPath(file)} (Database:DataDirectory, ConnectionStrings:CredentialPortal).");
        }

        await source.OpenAsync(cancellationToken);
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            await copy.OpenAsync(cancellationToken);
            source.BackupDatabase(copy);
        }

        File.Move(partial, destination);
        return new FileInfo(destination).Length;
    }
}
