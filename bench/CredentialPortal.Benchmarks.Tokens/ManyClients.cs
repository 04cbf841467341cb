using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>
/// For bench/memory.sh: adds applications to the demo organisation of a running app (SQLite), each with one secret of
/// the given value, through the product's EF model, and writes their client_ids one per line. The running app has
/// none of them cached, so each one's first token loads it from the database.
/// </summary>
public static class ManyClients
{
    public static async Task WriteAsync(string database, int count, string secret, string outputFile)
    {
        var options = BenchDatabase.Options(database);
        var now = DateTime.UtcNow;
        var hash = SecretGenerator.Hash(secret);
        var clientIds = new List<string>(count);
        int organisationId;
        await using (var db = new CredentialPortalDbContext(options))
        {
            organisationId = (await db.Applications.OrderBy(a => a.Id).FirstAsync()).OrganisationId;
        }

        var api = ApiCatalog.Apis[0];
        for (var start = 0; start < count; start += 5_000)
        {
            await using var db = new CredentialPortalDbContext(options);
            foreach (var i in Enumerable.Range(start, Math.Min(5_000, count - start)))
            {
                var application = new Application
                {
                    ClientId = SecretGenerator.NewClientId(),
                    Name = $"Bench-{i:D6}",
                    OrganisationId = organisationId,
                    ApiCode = api.Code,
                    IsActive = true,
                    CreatedAt = now,
                };
                application.Permissions.Add(new ApplicationPermission { Api = api.Resources[0], Environment = ApiEnvironment.Sandbox });
                application.Secrets.Add(new ClientSecret
                {
                    Name = "bench",
                    Hash = hash,
                    Hint = SecretFormat.HintOf(secret),
                    CreatedAt = now,
                    CreatedBy = "bench",
                    ExpiresAt = now.AddDays(30),
                });
                db.Applications.Add(application);
                clientIds.Add(application.ClientId);
            }

            await db.SaveChangesAsync();
        }

        await File.WriteAllLinesAsync(outputFile, clientIds);
    }
}
