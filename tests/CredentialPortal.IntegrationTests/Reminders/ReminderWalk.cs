using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CredentialPortal.IntegrationTests.Reminders;

/// <summary>One email seen on a day of the walk: the day number (0 = the walk's first day) and its subject.</summary>
public sealed record WalkMail(int Day, string Subject, IReadOnlyList<string> To);

/// <summary>
/// The product with its reminder service and outbox sender switched off, so the test drives <see cref="ReminderPass"/>
/// and <see cref="OutboxPass"/> itself: one pass of each per simulated day at 09:00 UTC on the fake clock, collecting
/// the emails each day produced.
/// </summary>
public sealed class ReminderWalk : IAsyncDisposable
{
    private int _applications;

    private ReminderWalk(PortalFactory portal) => Portal = portal;

    public PortalFactory Portal { get; }
    public FakeTimeProvider Time => Portal.Time;
    public DateTime Now => Time.GetUtcNow().UtcDateTime;
    public ReminderPass Pass => Portal.Services.GetRequiredService<ReminderPass>();
    public OutboxPass Outbox => Portal.Services.GetRequiredService<OutboxPass>();

    /// <summary>A reminder pass, then an outbox pass: what one tick of both services does.</summary>
    public async Task<(int Claimed, OutboxPassResult Delivery)> RunAsync()
    {
        var claimed = await Pass.RunAsync(TestContext.Current.CancellationToken);
        return (claimed, await Outbox.RunAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Midnight UTC <paramref name="days"/> days after today, like an expiry date chosen in the portal.</summary>
    public DateTime Midnight(int days) => Now.Date.AddDays(days);

    public static async Task<ReminderWalk> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) {
            ["Reminders:Enabled"] = "false",
            ["Email:Outbox:Enabled"] = "false",
        };
        return new ReminderWalk(await PortalFactory.StartAsync(provider, all));
    }

    /// <summary>An application with one credential manager <c>{label}@partner.example</c> (and optional extra addresses).</summary>
    public async Task<Application> AddApplicationAsync(string label, bool withManager = true, params string[] notificationEmails)
    {
        await using var db = Portal.CreateDbContext();
        var number = Interlocked.Increment(ref _applications);
        var organisation = new Organisation { Name = $"Org{number}-{label}", CountryCode = "NL", CreatedAt = Now };
        var application = new Application
        {
            ClientId = SecretGenerator.NewClientId(),
            Name = $"Partner-NL-Org{number}-DM-{label}",
            Organisation = organisation,
            ApiCode = "DM",
            CreatedAt = Now,
        };
        application.NotificationEmails.AddRange(notificationEmails);
        db.Applications.Add(application);
        if (withManager)
        {
            var email = $"{label}@partner.example";
            var user = new PortalUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = label,
                Organisation = organisation,
                CreatedAt = Now,
                SecurityStamp = Guid.NewGuid().ToString(),
            };
            db.Users.Add(user);
            db.CredentialManagers.Add(new CredentialManagerAssignment { User = user, Application = application, AssignedAt = Now, AssignedBy = "test" });
        }

        await db.SaveChangesAsync();
        return application;
    }

    public async Task<ClientSecret> AddSecretAsync(Application application, string name, DateTime expiresAt)
    {
        ArgumentNullException.ThrowIfNull(application);
        await using var db = Portal.CreateDbContext();
        var value = SecretGenerator.NewSecret();
        var secret = new ClientSecret
        {
            ApplicationId = application.Id,
            Name = name,
            Hash = value.Hash,
            Hint = value.Hint,
            CreatedAt = Now,
            CreatedBy = "test",
            ExpiresAt = expiresAt,
        };
        db.ClientSecrets.Add(secret);
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>A change of the credential through <see cref="CredentialLifecycle"/>, as the pages and the management API make it.</summary>
    public async Task ChangeAsync(ClientSecret secret, Func<CredentialLifecycle, Application, ClientCredential, Task> change)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(change);
        using var scope = Portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var stored = await db.ClientCredentials.SingleAsync(c => c.Id == secret.Id);
        var application = await db.Applications.SingleAsync(a => a.Id == stored.ApplicationId);
        await change(scope.ServiceProvider.GetRequiredService<CredentialLifecycle>(), application, stored);
    }

    /// <summary>Activates or deactivates the application through <see cref="ApplicationManagement"/>, as an administrator's edit does.</summary>
    public async Task SetActiveAsync(Application application, bool active)
    {
        ArgumentNullException.ThrowIfNull(application);
        using var scope = Portal.Services.CreateScope();
        var management = scope.ServiceProvider.GetRequiredService<ApplicationManagement>();
        var stored = await management.FindAsync(application.Id) ?? throw new InvalidOperationException("no such application");
        var form = ApplicationForm.Of(stored);
        form.IsActive = active;
        var plan = await management.CheckAsync(stored, form);
        // The walk's application names do not follow the portal's pattern; nothing else may be wrong with the form.
        Assert.All(plan.Errors, e => Assert.Equal(nameof(ApplicationForm.Name), e.Key));
        var saved = await management.SaveAsync(stored, form, plan with { Errors = [] }, new AuditActor(PortalFactory.AdminEmail));
        Assert.NotNull(saved.Application);
    }

    public async Task DisableAsync(ClientSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        await using var db = Portal.CreateDbContext();
        var stored = await db.ClientSecrets.FindAsync(secret.Id) ?? throw new InvalidOperationException("no such secret");
        stored.DisabledAt = Now;
        stored.DisabledBy = "test";
        await db.SaveChangesAsync();
    }

    public async Task DeleteAsync(ClientSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        await using var db = Portal.CreateDbContext();
        db.ClientSecrets.Remove(await db.ClientSecrets.FindAsync(secret.Id) ?? throw new InvalidOperationException("no such secret"));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Days 0 … <paramref name="lastDay"/>: runs the day's actions, then one pass (unless the service is down that
    /// day), and collects the emails. The clock starts at 09:00 UTC on day 0 and moves one day at a time.
    /// </summary>
    public async Task<IReadOnlyList<WalkMail>> WalkAsync(int lastDay, IDictionary<int, Func<Task>>? actions = null, ISet<int>? downDays = null)
    {
        var start = Now;
        var mails = new List<WalkMail>();
        for (var day = 0; day <= lastDay; day++)
        {
            Time.SetUtcNow(start.AddDays(day));
            if (actions is not null && actions.TryGetValue(day, out var action))
            {
                await action();
            }

            if (downDays?.Contains(day) != true)
            {
                await RunAsync();
            }

            mails.AddRange(Collect(day));
        }

        return mails;
    }

    public IReadOnlyList<WalkMail> Collect(int day)
    {
        var mails = Portal.Mail.All().Select(m => new WalkMail(day, m.Subject, m.To)).ToList();
        Portal.Mail.Clear();
        return mails;
    }

    public ValueTask DisposeAsync() => Portal.DisposeAsync();
}
