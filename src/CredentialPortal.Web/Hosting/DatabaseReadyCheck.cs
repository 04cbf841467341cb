using CredentialPortal.Core.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CredentialPortal.Web.Hosting;

/// <summary>Ready when the database answers and no migration is pending.</summary>
public sealed class DatabaseReadyCheck(DatabaseMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ready, description) = await migrator.CheckReadyAsync(cancellationToken);
        return ready ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy(description);
    }
}
