using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>The running app's database as the bench scripts name it: a SQLite file, or a PostgreSQL connection string.</summary>
public static class BenchDatabase
{
    public static DbContextOptions<CredentialPortalDbContext> Options(string database) =>
        database.Contains('=', StringComparison.Ordinal)
            ? new DbContextOptionsBuilder<CredentialPortalDbContext>().UseNpgsql(database).Options
            : new DbContextOptionsBuilder<CredentialPortalDbContext>().UseSqlite($"Data Source={database}").Options;
}
