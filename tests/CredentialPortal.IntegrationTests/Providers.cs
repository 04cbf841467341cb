using CredentialPortal.Core.Data;
using CredentialPortal.Testing;

namespace CredentialPortal.IntegrationTests;

/// <summary>Theory data for provider-dependent tests; PostgreSQL runs when test.sh provides a server.</summary>
public static class Providers
{
    public static TheoryData<DatabaseProvider> Both => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    public static void SkipIfUnavailable(DatabaseProvider provider) =>
        Assert.SkipUnless(TestDatabase.IsAvailable(provider),
            $"{TestDatabase.PostgresVariable} is not set; ./test.sh starts a PostgreSQL server and sets it.");
}
