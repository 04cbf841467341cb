using System.Diagnostics;
using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Fills an empty database (real migrations) at operator scale through the product's EF model: organisations,
/// applications (10 secrets each: active, expiring soon, expired, disabled), credential managers, locked-out users, an
/// administrator and a credential manager of three applications who sign in with <see cref="Password"/>, and audit
/// events spread over the last year. Deterministic, so that runs before and after a change compare like with like.
/// </summary>
internal static class PageSeed
{
    public const string AdminEmail = "admin@bench.example";
    public const string ManagerEmail = "manager@bench.example";
    public const string Password = "plum tractor window seventeen";
    public const int ManagerApplications = 3;

    private const int Batch = 5_000;
    private static readonly string[] Countries = ["NL", "DE", "BE", "FR"];

    public sealed record Scale(int Organisations, int Applications, int SecretsPerApplication, int Users, int AuditEvents);

    public static async Task RunAsync(DatabaseProvider provider, string connectionString, Scale scale)
    {
        await using var services = StoreRegistration.AddDbContext(new ServiceCollection(), provider, connectionString).BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>();
        var clock = Stopwatch.StartNew();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.MigrateAsync();
        }

        var now = DateTime.UtcNow;
        var random = new Random(14);
        var organisationIds = await InsertAsync(contexts, Enumerable.Range(0, scale.Organisations + 1).Select(i => new Organisation
        {
            Name = i == 0 ? "Operator" : "BenchOrg" + i.ToString("D4", CultureInfo.InvariantCulture),
            CountryCode = Countries[i % Countries.Length],
            IsActive = i % 50 != 7,
            CreatedAt = now.AddDays(-400),
        }), o => o.Id);
        var operatorId = organisationIds[0];
        var members = organisationIds.Skip(1).ToList();

        var applications = Enumerable.Range(0, scale.Applications).Select(i =>
        {
            var api = ApiCatalog.Apis[i % ApiCatalog.Apis.Count];
            var application = new Application
            {
                ClientId = SecretGenerator.NewClientId(),
                Name = $"Partner-NL-BenchOrg{i % members.Count:D4}-{api.Code}-{i:D5}",
                OrganisationId = members[i % members.Count],
                ApiCode = api.Code,
                IsSandboxOnly = i % 10 == 3,
                IsActive = i % 40 != 5,
                CreatedAt = now.AddDays(-random.Next(30, 400)),
            };
            application.Permissions.Add(new ApplicationPermission { Api = api.Resources[0], Environment = ApiEnvironment.Sandbox });
            if (!application.IsSandboxOnly)
            {
                application.Permissions.Add(new ApplicationPermission { Api = api.Resources[0], Environment = ApiEnvironment.Production });
            }

            for (var s = 0; s < scale.SecretsPerApplication; s++)
            {
                // Mostly expired history, some active, a few expiring within the reminder window, some disabled. The
                // history is what a running instance keeps: housekeeping deletes credentials 90 days after they expired
                // (Retention:ExpiredCredentials), so older ones would only have its first pass delete them during the timing.
                var expiresAt = s switch
                {
                    0 when i % 7 == 0 => now.AddDays(-3),
                    0 => now.AddDays(random.Next(31, 365)),
                    1 when i % 5 == 0 => now.AddDays(random.Next(1, 29)),
                    _ => now.AddDays(-random.Next(1, 90)),
                };
                var value = SecretGenerator.NewSecret();
                application.Secrets.Add(new ClientSecret
                {
                    Name = "secret-" + s.ToString(CultureInfo.InvariantCulture),
                    Hash = value.Hash,
                    Hint = value.Hint,
                    CreatedAt = expiresAt.AddDays(-365),
                    CreatedBy = "bench",
                    ExpiresAt = expiresAt,
                    DisabledAt = s == 2 && i % 3 == 0 ? now.AddDays(-1) : null,
                    DisabledBy = s == 2 && i % 3 == 0 ? "bench" : null,
                    LastUsedAt = s == 0 ? now.AddMinutes(-random.Next(1, 10_000)) : null,
                });
            }

            return application;
        });
        var applicationIds = await InsertAsync(contexts, applications, a => a.Id, batch: Batch / scale.SecretsPerApplication);

        var hash = new PasswordHasher<PortalUser>().HashPassword(null!, Password);
        var roleId = Guid.NewGuid();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.Roles.Add(new PortalRole { Id = roleId, Name = PortalRole.Administrator, NormalizedName = PortalRole.Administrator.ToUpperInvariant(), ConcurrencyStamp = Guid.NewGuid().ToString() });
            await db.SaveChangesAsync();
        }

        var users = new List<PortalUser> { User(AdminEmail, operatorId, hash, now), User(ManagerEmail, members[0], hash, now) };
        users.AddRange(Enumerable.Range(0, scale.Users).Select(i =>
        {
            var user = User($"user{i:D4}@bench.example", i % 20 == 0 ? operatorId : members[i % members.Count], i % 9 == 4 ? null : hash, now);
            user.TwoFactorEnabled = user.PasswordHash is not null;
            user.LockoutEnd = i % 25 == 1 ? now.AddMinutes(10) : i % 25 == 2 ? now.AddDays(-1) : null;
            user.IsDisabled = i % 31 == 3;
            return user;
        }));
        var userIds = await InsertAsync(contexts, users, u => u.Id);
        await InsertAsync(contexts, userIds.Where((_, i) => i == 0 || (i >= 2 && (i - 2) % 20 == 0))
            .Select(id => new IdentityUserRole<Guid> { UserId = id, RoleId = roleId }), r => r.UserId);

        // The bench manager manages a few applications; the other users one or two each, most applications two managers.
        var assignments = applicationIds.Take(ManagerApplications).Select(id => Assignment(userIds[1], id, now)).ToList();
        for (var i = 0; i < applicationIds.Count; i++)
        {
            var managers = i % 6 == 0 ? 0 : i % 4 == 0 ? 1 : 2;
            for (var m = 0; m < managers; m++)
            {
                assignments.Add(Assignment(userIds[2 + ((i + m * 97) % scale.Users)], applicationIds[i], now));
            }
        }

        await InsertAsync(contexts, assignments.DistinctBy(a => (a.UserId, a.ApplicationId)), a => a.UserId);

        string[] types = [AuditEventTypes.LoginSucceeded, AuditEventTypes.SecretCreated, AuditEventTypes.TokenAuthenticationFailed,
            AuditEventTypes.NotificationQueued, AuditEventTypes.ApplicationChanged, AuditEventTypes.LoginFailed];
        var start = now.AddDays(-365);
        var step = TimeSpan.FromDays(365).Ticks / scale.AuditEvents;
        await InsertAsync(contexts, Enumerable.Range(0, scale.AuditEvents).Select(i =>
        {
            var applicationIndex = random.Next(applicationIds.Count);
            var type = types[i % types.Length];
            return new AuditEvent
            {
                OccurredAt = start.AddTicks(step * i),
                EventType = type,
                Actor = type == AuditEventTypes.TokenAuthenticationFailed ? "client" : $"user{i % scale.Users:D4}@bench.example",
                RemoteAddress = "192.0.2." + (i % 250).ToString(CultureInfo.InvariantCulture),
                OrganisationId = members[applicationIndex % members.Count],
                ApplicationId = type == AuditEventTypes.LoginSucceeded || type == AuditEventTypes.LoginFailed ? null : applicationIds[applicationIndex],
                Details = "bench event " + i.ToString(CultureInfo.InvariantCulture),
            };
        }), e => e.Id, batch: Batch * 2);

        // PostgreSQL: what autovacuum does to a database in use for a while (statistics, and a visibility map that lets
        // index-only scans skip the table). SQLite gets no manual ANALYZE: the product gathers its statistics itself
        // at start (SqliteStatistics), and the benchmark checks that it does.
        if (provider == DatabaseProvider.PostgreSql)
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
        }

        Console.WriteLine($"seeded {provider}: {members.Count + 1:N0} organisations, {applicationIds.Count:N0} applications, " +
            $"{applicationIds.Count * scale.SecretsPerApplication:N0} secrets, {users.Count:N0} users, {assignments.Count:N0} manager assignments, " +
            $"{scale.AuditEvents:N0} audit events in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static PortalUser User(string email, int organisationId, string? passwordHash, DateTime now) => new()
    {
        Id = Guid.NewGuid(),
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        EmailConfirmed = true,
        DisplayName = "Bench " + email[..email.IndexOf('@', StringComparison.Ordinal)],
        OrganisationId = organisationId,
        PasswordHash = passwordHash,
        SecurityStamp = Guid.NewGuid().ToString("N"),
        ConcurrencyStamp = Guid.NewGuid().ToString(),
        LockoutEnabled = true,
        CreatedAt = now.AddDays(-100),
        InvitedAt = now.AddDays(-100),
        LastSignInAt = passwordHash is null ? null : now.AddHours(-5),
    };

    private static CredentialManagerAssignment Assignment(Guid userId, int applicationId, DateTime now) =>
        new() { UserId = userId, ApplicationId = applicationId, AssignedAt = now.AddDays(-50), AssignedBy = "bench" };

    /// <summary>Adds the entities in batches, each its own context and SaveChanges; returns their keys in order.</summary>
    private static async Task<List<TKey>> InsertAsync<TEntity, TKey>(IDbContextFactory<CredentialPortalDbContext> contexts,
        IEnumerable<TEntity> entities, Func<TEntity, TKey> key, int batch = Batch) where TEntity : class
    {
        var keys = new List<TKey>();
        foreach (var chunk in entities.Chunk(batch))
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Set<TEntity>().AddRange(chunk);
            await db.SaveChangesAsync();
            keys.AddRange(chunk.Select(key));
        }

        return keys;
    }
}
