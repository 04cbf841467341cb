using Microsoft.EntityFrameworkCore.Design;

namespace CredentialPortal.Core.Data;

/// <summary>
/// The context as <c>dotnet ef</c> sees it in one provider's migrations project: the same options the app uses
/// (<see cref="StoreRegistration.CreateStandaloneContext"/>), so a migration describes exactly the model the app runs on.
/// </summary>
public abstract class DesignTimeContextFactoryBase(DatabaseProvider provider, string connectionString)
    : IDesignTimeDbContextFactory<CredentialPortalDbContext>
{
    public CredentialPortalDbContext CreateDbContext(string[] args) =>
        StoreRegistration.CreateStandaloneContext(provider, connectionString);
}
