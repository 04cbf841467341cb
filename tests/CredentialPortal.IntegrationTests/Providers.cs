using CredentialPortal.Core.Data;
using CredentialPortal.Testing;

namespace CredentialPortal.IntegrationTests;

/// <summary>
/// Theory data for provider-dependent tests. SQLite always runs; PostgreSQL runs when test.sh provides a server;
/// SQL Server only when CREDENTIALPORTAL_TEST_SQLSERVER names one (none can run on the project's machines).
/// </summary>
public static class Providers
{
    public static TheoryData<DatabaseProvider> All => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql, DatabaseProvider.SqlServer];

    public static void SkipIfUnavailable(DatabaseProvider provider) =>
        Assert.SkipUnless(TestDatabase.IsAvailable(provider), provider == DatabaseProvider.SqlServer
            ? $"{TestDatabase.SqlServerVariable} is not set: no SQL Server to test against (none runs on these machines)."
            : $"{TestDatabase.PostgresVariable} is not set; ./test.sh starts a PostgreSQL server and sets it.");
}
