using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Reminders;

/// <summary>
/// Secrets walked day by day from creation to a week past expiry, one reminder pass a day at 09:00 UTC, asserting
/// exactly which emails go out on which day. Secrets expire at midnight UTC <see cref="Lifetime"/> days after day 0,
/// so on day d they have <c>Lifetime - d</c> days left.
/// </summary>
public sealed class ReminderLifecycleTests
{
    private const int Lifetime = 90;
    private const int LastDay = Lifetime + 7;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_secret_never_replaced_gets_the_weekly_reminders_then_daily_ones_then_the_final_notice(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider);
        var application = await walk.AddApplicationAsync("never", withManager: true, "ops@partner.example");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(Lifetime));

        var mails = await walk.WalkAsync(LastDay);

        Assert.Equal(
        [
            Reminder(application, 42), Reminder(application, 21), Reminder(application, 7),
            Reminder(application, 6), Reminder(application, 5), Reminder(application, 4),
            Reminder(application, 3), Reminder(application, 2), Reminder(application, 1),
            Expired(application),
        ], Timeline(mails));
        Assert.All(mails, m => Assert.Equal(["never@partner.example", "ops@partner.example"], m.To));
    }

    [Fact]
    public async Task A_secret_replaced_10_days_before_expiry_gets_only_the_weekly_reminders_and_no_final_notice()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("replaced");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(Lifetime));

        var mails = await walk.WalkAsync(LastDay, new Dictionary<int, Func<Task>>
        {
            [Lifetime - 10] = async () => await walk.AddSecretAsync(application, "Production 2", walk.Midnight(365)),
        });

        Assert.Equal([Reminder(application, 42), Reminder(application, 21), Reminder(application, 7, replaced: true)], Timeline(mails));
    }

    [Fact]
    public async Task A_deleted_secret_gets_nothing_after_its_deletion()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("deleted");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(Lifetime));

        var mails = await walk.WalkAsync(LastDay, new Dictionary<int, Func<Task>>
        {
            [Lifetime - 15] = () => walk.DeleteAsync(secret),
        });

        Assert.Equal([Reminder(application, 42), Reminder(application, 21)], Timeline(mails));
        await using var db = walk.Portal.CreateDbContext();
        Assert.Empty(await db.OutboxMessages.Where(e => e.Status == OutboxStatus.Pending).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_disabled_secret_gets_nothing_after_it_was_disabled_not_even_the_final_notice()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("disabled");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(Lifetime));

        var mails = await walk.WalkAsync(LastDay, new Dictionary<int, Func<Task>>
        {
            [Lifetime - 15] = () => walk.DisableAsync(secret),
        });

        Assert.Equal([Reminder(application, 42), Reminder(application, 21)], Timeline(mails));
    }

    [Fact]
    public async Task After_five_days_of_downtime_only_the_latest_due_slot_is_sent_once()
    {
        await using var walk = await ReminderWalk.StartAsync();
        // Down on days 81-85: A (90 days) misses 7d, 6d and 5d; B (104 days) misses 21d, which it gets late, on day 86.
        var first = await walk.AddApplicationAsync("first");
        await walk.AddSecretAsync(first, "Production", walk.Midnight(Lifetime));
        var second = await walk.AddApplicationAsync("second");
        await walk.AddSecretAsync(second, "Production", walk.Midnight(104));

        var mails = await walk.WalkAsync(104 + 7, downDays: new HashSet<int> { 81, 82, 83, 84, 85 });

        Assert.Equal(
        [
            Reminder(first, 42), Reminder(first, 21), Reminder(first, 4), Reminder(first, 3), Reminder(first, 2),
            Reminder(first, 1), Expired(first),
        ], Timeline(mails.Where(m => m.To.Contains("first@partner.example"))));
        Assert.Equal(
        [
            Reminder(second, 42, lifetime: 104), Reminder(second, 18, lifetime: 104), Reminder(second, 7, lifetime: 104),
            Reminder(second, 6, lifetime: 104), Reminder(second, 5, lifetime: 104), Reminder(second, 4, lifetime: 104),
            Reminder(second, 3, lifetime: 104), Reminder(second, 2, lifetime: 104), Reminder(second, 1, lifetime: 104),
            Expired(second, lifetime: 104),
        ], Timeline(mails.Where(m => m.To.Contains("second@partner.example"))));
    }

    [Fact]
    public async Task The_final_notice_goes_out_only_when_no_other_active_secret_remains()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("overlap");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(Lifetime));
        // Expires one day later: it replaces the first from day 0 on and keeps the application working for one more
        // day, so the first gets only the weekly reminders and no final notice, not even once both have expired.
        await walk.AddSecretAsync(application, "Backup", walk.Midnight(Lifetime + 1));

        var mails = await walk.WalkAsync(LastDay);

        var production = mails.Where(m => m.Subject.Contains("\"Production\"", StringComparison.Ordinal)).ToList();
        Assert.Equal([Lifetime - 42, Lifetime - 21, Lifetime - 7], production.Select(m => m.Day));
        var backup = mails.Where(m => m.Subject.Contains("\"Backup\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(Lifetime + 1, backup[^1].Day);
        Assert.Contains("has expired", backup[^1].Subject, StringComparison.Ordinal);
        Assert.Equal(10, backup.Count);
    }

    [Fact]
    public async Task Nothing_is_sent_for_an_inactive_application()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("inactive");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(30));
        await using (var db = walk.Portal.CreateDbContext())
        {
            (await db.Applications.SingleAsync(a => a.Id == application.Id, TestContext.Current.CancellationToken)).IsActive = false;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.Empty(await walk.WalkAsync(37));
        await using var check = walk.Portal.CreateDbContext();
        Assert.Empty(await check.OutboxMessages.Where(e => e.Status == OutboxStatus.Sent).ToListAsync(TestContext.Current.CancellationToken));
    }

    private static string Reminder(Application application, int daysLeft, bool replaced = false, int lifetime = Lifetime, int? day = null) =>
        $"day {day ?? lifetime - daysLeft}: {(replaced ? "Old client secret" : "Client secret")} \"Production\" of {application.Name} expires in {daysLeft} day{(daysLeft == 1 ? "" : "s")}";

    private static string Expired(Application application, int lifetime = Lifetime) =>
        $"day {lifetime}: Client secret \"Production\" of {application.Name} has expired: API access has stopped";

    private static List<string> Timeline(IEnumerable<WalkMail> mails) => mails.Select(m => $"day {m.Day}: {m.Subject}").ToList();
}
