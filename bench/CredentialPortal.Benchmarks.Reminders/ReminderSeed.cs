using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>seed-reminders {provider} {connection string} {count}</c>, used by <c>bench/outbox-crash.sh</c>: adds
/// <c>count</c> secrets named <c>bench-00000</c> … through the product's EF model, 10 per application, each application
/// with one credential manager, all expiring at UTC midnight 7 days from today, so each has exactly one reminder
/// (<c>7d</c>) due now. The schema must exist (a running instance migrates it).
/// </summary>
internal static class ReminderSeed
{
    private const int SecretsPerApplication = 10;

    public static async Task RunAsync(DatabaseProvider provider, string connectionString, int count)
    {
        await using var services = StoreRegistration.AddDbContext(new ServiceCollection(), provider, connectionString).BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>();
        var now = DateTime.UtcNow;
        var expiresAt = now.Date.AddDays(7);
        for (var first = 0; first < count; first += SecretsPerApplication)
        {
            await using var db = await contexts.CreateDbContextAsync();
            var label = (first / SecretsPerApplication).ToString("D5", CultureInfo.InvariantCulture);
            var organisation = new Organisation { Name = $"BenchOrg{label}", CountryCode = "NL", CreatedAt = now };
            var application = new Application
            {
                ClientId = SecretGenerator.NewClientId(),
                Name = $"Partner-NL-BenchOrg{label}-DM",
                Organisation = organisation,
                ApiCode = "DM",
                CreatedAt = now,
            };
            var email = $"manager{label}@bench.example";
            var manager = new PortalUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = "Bench manager " + label,
                Organisation = organisation,
                CreatedAt = now,
                SecurityStamp = Guid.NewGuid().ToString(),
            };
            db.Applications.Add(application);
            db.Users.Add(manager);
            db.CredentialManagers.Add(new CredentialManagerAssignment { User = manager, Application = application, AssignedAt = now, AssignedBy = "bench" });
            for (var i = first; i < Math.Min(count, first + SecretsPerApplication); i++)
            {
                var value = SecretGenerator.NewSecret();
                application.Secrets.Add(new ClientSecret
                {
                    Name = "bench-" + i.ToString("D5", CultureInfo.InvariantCulture),
                    Hash = value.Hash,
                    Hint = value.Hint,
                    CreatedAt = now,
                    CreatedBy = "bench",
                    ExpiresAt = expiresAt,
                });
            }

            await db.SaveChangesAsync();
        }

        Console.WriteLine($"seeded {count:N0} secrets expiring {expiresAt:yyyy-MM-dd} (one 7d reminder each)");
    }
}
