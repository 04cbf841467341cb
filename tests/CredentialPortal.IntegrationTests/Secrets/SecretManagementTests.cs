using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Secrets;

public sealed class SecretManagementTests
{
    private static readonly AuditActor Actor = new("jane.doe@demoorg.example", RemoteAddress: "192.0.2.7");

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Create_disable_enable_delete_are_audited_logged_for_the_token_cache_and_notified(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var applicationId = await SeedApplicationAsync(portal, managers: ["m1@demoorg.example", "m2@demoorg.example"]);
        var now = portal.Time.GetUtcNow().UtcDateTime;

        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretManagement>();
        var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
        var application = await db.Applications.SingleAsync(a => a.Id == applicationId);

        var result = await secrets.CreateAsync(application, "  Secret by Jane Doe  ", now.AddDays(100), Actor);
        Assert.True(result.Succeeded);
        var created = result.Value!;
        Assert.Equal("Secret by Jane Doe", created.Secret.Name);
        Assert.Equal(SecretGenerator.Hash(created.Value), created.Secret.Hash);
        Assert.Equal(SecretFormat.HintOf(created.Value), created.Secret.Hint);

        await lifecycle.DisableAsync(application, created.Secret, Actor, confirmedLastCredential: true);
        Assert.Equal(now, created.Secret.DisabledAt);
        await lifecycle.EnableAsync(application, created.Secret, Actor);
        Assert.Null(created.Secret.DisabledAt);
        await lifecycle.DeleteAsync(application, created.Secret, Actor, confirmedLastCredential: true);

        await using var check = portal.CreateDbContext();
        Assert.Empty(await check.ClientSecrets.Where(s => s.ApplicationId == applicationId).ToListAsync());
        Assert.Equal(4, await check.CredentialChanges.CountAsync(c => c.ApplicationId == applicationId));
        var events = await check.AuditEvents.Where(e => e.ApplicationId == applicationId && e.EventType.StartsWith("secret.")).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([AuditEventTypes.SecretCreated, AuditEventTypes.SecretDisabled, AuditEventTypes.SecretEnabled, AuditEventTypes.SecretDeleted],
            events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal("jane.doe@demoorg.example", e.Actor));
        Assert.All(events, e => Assert.Equal("192.0.2.7", e.RemoteAddress));

        // In send order even though the clock stood still: the pickup file names encode it.
        await portal.RunNextPassAsync<OutboxSender>();
        var mails = portal.Mail.All();
        Assert.Equal(["created", "disabled", "enabled", "deleted"],
            mails.Select(m => m.Subject.Split(' ')[2]));
        Assert.All(mails, m => Assert.Equal(["m1@demoorg.example", "m2@demoorg.example"], m.To.Order()));
        Assert.All(mails, m => Assert.Contains($"\"Secret by Jane Doe\" ({created.Secret.Hint}…)", m.Body));
        Assert.All(mails, m => Assert.DoesNotContain(created.Value, m.Raw + m.Body));
        Assert.Equal(4, mails.Select(m => m.MessageId).Distinct().Count());
    }

    [Theory]
    [InlineData("", 100, "Name", "Enter a name for the secret.")]
    [InlineData("   ", 100, "Name", "Enter a name for the secret.")]
    [InlineData("a name that is one character longer than one hundred characters, which is the most a name may have..!", 100, "Name", "at most 100 characters")]
    [InlineData("ok", 0, "ExpiresAt", "must be in the future")]
    [InlineData("ok", -3, "ExpiresAt", "must be in the future")]
    [InlineData("ok", 367, "ExpiresAt", "at most one year")]
    public async Task Invalid_input_is_refused_and_nothing_is_stored(string name, int days, string field, string message)
    {
        await using var portal = await PortalFactory.StartAsync();
        var applicationId = await SeedApplicationAsync(portal, managers: []);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var application = await db.Applications.SingleAsync(a => a.Id == applicationId);

        var result = await scope.ServiceProvider.GetRequiredService<SecretManagement>()
            .CreateAsync(application, name, portal.Time.GetUtcNow().UtcDateTime.AddDays(days), Actor);

        Assert.False(result.Succeeded);
        Assert.Contains(message, result.Errors[field]);
        Assert.Equal(0, await db.ClientSecrets.CountAsync());
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.SecretCreated));
    }

    [Fact]
    public async Task The_secret_limit_is_enforced_with_a_clear_message()
    {
        await using var portal = await PortalFactory.StartAsync();
        var applicationId = await SeedApplicationAsync(portal, managers: [], secretLimit: 2);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretManagement>();
        var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
        var application = await db.Applications.SingleAsync(a => a.Id == applicationId);
        var expiry = portal.Time.GetUtcNow().UtcDateTime.AddDays(30);

        Assert.True((await secrets.CreateAsync(application, "one", expiry, Actor)).Succeeded);
        Assert.True((await secrets.CreateAsync(application, "two", expiry, Actor)).Succeeded);
        var third = await secrets.CreateAsync(application, "three", expiry, Actor);

        Assert.False(third.Succeeded);
        Assert.Contains("the most it may have (2)", third.Errors["Name"]);
    }

    [Fact]
    public async Task Only_active_secret_is_detected()
    {
        await using var portal = await PortalFactory.StartAsync();
        var applicationId = await SeedApplicationAsync(portal, managers: []);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretManagement>();
        var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
        var application = await db.Applications.SingleAsync(a => a.Id == applicationId);
        var expiry = portal.Time.GetUtcNow().UtcDateTime.AddDays(30);

        var first = (await secrets.CreateAsync(application, "one", expiry, Actor)).Value!.Secret;
        Assert.True(await lifecycle.IsLastActiveCredentialAsync(application, first));
        var second = (await secrets.CreateAsync(application, "two", expiry, Actor)).Value!.Secret;
        Assert.False(await lifecycle.IsLastActiveCredentialAsync(application, first));
        await lifecycle.DisableAsync(application, second, Actor, confirmedLastCredential: false);
        Assert.True(await lifecycle.IsLastActiveCredentialAsync(application, first));
    }

    /// <summary>An organisation, one application and the given credential managers; returns the application id.</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_secret_is_created_under_the_applications_concurrency_token_so_a_concurrent_creation_cannot_pass_the_limit(
        DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var applicationId = await SeedApplicationAsync(portal, managers: [], secretLimit: 2);
        var expiry = portal.Time.GetUtcNow().UtcDateTime.AddDays(100);
        await using var first = portal.Services.CreateAsyncScope();
        await using var second = portal.Services.CreateAsyncScope();
        var firstDb = first.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var secondDb = second.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        // Both requests loaded the application before either saved: the portal's and the API's position in a race.
        var loadedByFirst = await firstDb.Applications.SingleAsync(a => a.Id == applicationId);
        var loadedBySecond = await secondDb.Applications.SingleAsync(a => a.Id == applicationId);

        Assert.True((await first.ServiceProvider.GetRequiredService<SecretManagement>().CreateAsync(loadedByFirst, "first", expiry, Actor)).Succeeded);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() =>
            second.ServiceProvider.GetRequiredService<SecretManagement>().CreateAsync(loadedBySecond, "second", expiry, Actor));

        await using var check = portal.CreateDbContext();
        Assert.Equal(["first"], await check.ClientSecrets.Where(s => s.ApplicationId == applicationId).Select(s => s.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_secret_name_with_a_control_character_is_refused_the_same_way_on_every_provider(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var applicationId = await SeedApplicationAsync(portal, managers: []);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretManagement>();
        var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
        var application = await db.Applications.SingleAsync(a => a.Id == applicationId);
        var expiry = portal.Time.GetUtcNow().UtcDateTime.AddDays(100);

        foreach (var name in new[] { "nul\0name", "tab\tname", "escape\u001bname", "c1\u0085name" })
        {
            var result = await secrets.CreateAsync(application, name, expiry, Actor);
            Assert.False(result.Succeeded);
            Assert.Equal("The name must not contain control characters such as tabs, line breaks or NUL.", result.Errors[SecretManagement.NameField]);
        }

        await using var check = portal.CreateDbContext();
        Assert.Empty(await check.ClientSecrets.Where(s => s.ApplicationId == applicationId).ToListAsync());
    }

    internal static async Task<int> SeedApplicationAsync(PortalFactory portal, IReadOnlyList<string> managers, int secretLimit = 10)
    {
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var organisation = new Organisation { Name = "DemoOrg", CountryCode = "NL", CreatedAt = now };
        var application = new Application
        {
            ClientId = SecretGenerator.NewClientId(),
            Name = "Partner-NL-DemoOrg-DM",
            ApiCode = "DM",
            Organisation = organisation,
            CredentialLimit = secretLimit,
            CreatedAt = now,
        };
        db.Applications.Add(application);
        foreach (var email in managers)
        {
            var user = new PortalUser
            {
                Id = Guid.NewGuid(),
                Email = email,
                UserName = email,
                NormalizedEmail = email.ToUpperInvariant(),
                NormalizedUserName = email.ToUpperInvariant(),
                Organisation = organisation,
                CreatedAt = now,
            };
            db.Users.Add(user);
            db.CredentialManagers.Add(new CredentialManagerAssignment { User = user, Application = application, AssignedAt = now, AssignedBy = "test" });
        }

        await db.SaveChangesAsync();
        return application.Id;
    }
}
