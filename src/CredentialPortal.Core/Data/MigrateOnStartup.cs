using Microsoft.Extensions.Hosting;

namespace CredentialPortal.Core.Data;

/// <summary>
/// Applies pending migrations before anything else starts (it is the first hosted service registered), so that
/// the Data Protection key ring, the bootstrap and the background services all find the schema in place.
/// </summary>
public sealed class MigrateOnStartup(DatabaseOptions options, DatabaseMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.MigrateOnStartup ? migrator.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
