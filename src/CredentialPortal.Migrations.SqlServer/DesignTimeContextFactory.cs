using CredentialPortal.Core.Data;

namespace CredentialPortal.Migrations.SqlServer;

/// <summary>How <c>dotnet ef</c> builds the context for this provider's migrations (no database is opened).</summary>
public sealed class DesignTimeContextFactory() : DesignTimeContextFactoryBase(DatabaseProvider.SqlServer, "Server=localhost;Database=design-time;TrustServerCertificate=True");
