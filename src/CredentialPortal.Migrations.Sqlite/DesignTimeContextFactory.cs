using CredentialPortal.Core.Data;

namespace CredentialPortal.Migrations.Sqlite;

/// <summary>How <c>dotnet ef</c> builds the context for this provider's migrations (no database is opened).</summary>
public sealed class DesignTimeContextFactory() : DesignTimeContextFactoryBase(DatabaseProvider.Sqlite, "Data Source=design-time.db");
