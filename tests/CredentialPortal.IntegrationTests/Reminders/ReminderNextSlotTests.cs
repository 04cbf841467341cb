using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Reminders;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Reminders;

/// <summary>
/// The reminder pass reads only the credentials whose <see cref="ClientCredential.NextReminderAt"/> has come and moves
/// it on to their next slot; the changes that can make a reminder due sooner have the next pass look at once.
/// </summary>
public sealed class ReminderNextSlotTests
{
    private static readonly AuditActor Owner = new("owner@partner.example");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_pass_reads_only_credentials_whose_time_has_come_and_moves_each_on_to_its_next_slot(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider);
        var application = await walk.AddApplicationAsync("next-slot");
        var far = await walk.AddSecretAsync(application, "Far", walk.Midnight(300));
        var near = await walk.AddSecretAsync(application, "Near", walk.Midnight(10));
        var gone = await walk.AddSecretAsync(application, "Gone", walk.Midnight(-20));
        Assert.Equal([ClientCredential.FirstReminderCheck, ClientCredential.FirstReminderCheck, ClientCredential.FirstReminderCheck],
            await NextReminderAtAsync(walk, far, near, gone));

        // The first pass looks at all three: Near's 21d reminder is due; Gone expired beyond its final notice.
        Assert.Equal(1, await walk.Pass.RunAsync(Token));
        Assert.Equal([walk.Midnight(300 - 42), walk.Midnight(10 - 7), null], await NextReminderAtAsync(walk, far, near, gone));

        // A credential whose time has not come is not read, even with a reminder due by the schedule: Near, put back
        // an hour, gets its 7d reminder only then. Far, set to an instant the pass would correct, stays as it is.
        walk.Time.SetUtcNow(walk.Midnight(3));
        await SetNextReminderAtAsync(walk, near, walk.Now.AddHours(1));
        await SetNextReminderAtAsync(walk, far, walk.Now.AddMinutes(-1).AddDays(1));
        Assert.Equal(0, await walk.Pass.RunAsync(Token));
        walk.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await walk.Pass.RunAsync(Token));
        Assert.Equal([walk.Midnight(1).AddMinutes(-1), walk.Midnight(1), null], await NextReminderAtAsync(walk, far, near, gone));
        await using var db = walk.Portal.CreateDbContext();
        Assert.Equal([ReminderEmail.IdentityKey(near.Id, ReminderSlot.DaysBeforeExpiry(21)), ReminderEmail.IdentityKey(near.Id, ReminderSlot.DaysBeforeExpiry(7))],
            await db.OutboxMessages.OrderBy(e => e.Id).Select(e => e.IdentityKey).ToListAsync(Token));
    }

    [Fact]
    public async Task After_the_final_notice_a_credential_is_not_looked_at_again()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("final");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(1));

        var mails = await walk.WalkAsync(2);

        Assert.Equal([0, 1], mails.Select(m => m.Day));
        Assert.Equal([null], await NextReminderAtAsync(walk, secret));
    }

    [Fact]
    public async Task Enabling_a_disabled_secret_has_the_next_pass_send_the_reminder_it_missed()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("enabled");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(45));

        // Disabled over its 42d slot (day 3), which the pass looked at and moved on to 21d; enabled on day 5.
        var mails = await walk.WalkAsync(6, new Dictionary<int, Func<Task>>
        {
            [0] = () => walk.ChangeAsync(secret, (lifecycle, app, s) => lifecycle.DisableAsync(app, s, Owner, confirmedLastCredential: true)),
            [5] = () => walk.ChangeAsync(secret, (lifecycle, app, s) => lifecycle.EnableAsync(app, s, Owner)),
        });

        var reminder = Assert.Single(mails, m => m.Subject.Contains("expires in", StringComparison.Ordinal));
        Assert.Equal((5, "Client secret \"Production\" of " + application.Name + " expires in 40 days"), (reminder.Day, reminder.Subject));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deleting_or_disabling_the_replacement_has_the_next_pass_send_the_daily_reminder(bool delete)
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("replacement-gone");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(10));
        var replacement = await walk.AddSecretAsync(application, "Replacement", walk.Midnight(365));
        // Replaced: the weekly reminders only (21d on day 0, 7d on day 3).
        var walked = await walk.WalkAsync(4);
        Assert.Equal([0, 3], walked.Select(m => m.Day));
        Assert.All(walked, m => Assert.StartsWith("Old client secret \"Production\"", m.Subject, StringComparison.Ordinal));

        // Day 4, after that day's pass looked at Production (replaced: nothing due) and moved it on to day 5.
        walk.Time.Advance(TimeSpan.FromHours(1));
        await walk.ChangeAsync(replacement, (lifecycle, app, s) => delete
            ? lifecycle.DeleteAsync(app, s, Owner, confirmedLastCredential: false)
            : lifecycle.DisableAsync(app, s, Owner, confirmedLastCredential: false));
        walk.Time.Advance(TimeSpan.FromMinutes(15));
        var (claimed, _) = await walk.RunAsync();

        Assert.Equal(1, claimed);
        Assert.Equal(["Client secret \"Production\" of " + application.Name + " expires in 6 days"],
            walk.Collect(4).Where(m => m.Subject.Contains("\"Production\"", StringComparison.Ordinal)).Select(m => m.Subject));
    }

    [Fact]
    public async Task Deleting_the_replacement_within_the_final_notices_week_has_the_next_pass_send_it()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("late-final");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(2));
        var replacement = await walk.AddSecretAsync(application, "Replacement", walk.Midnight(365));

        // Replaced when it expired on day 2: no final notice, and nothing later for the pass to look at.
        var mails = await walk.WalkAsync(4, new Dictionary<int, Func<Task>>
        {
            [3] = async () =>
            {
                Assert.Equal([null], await NextReminderAtAsync(walk, secret));
                await walk.ChangeAsync(replacement, (lifecycle, app, s) => lifecycle.DeleteAsync(app, s, Owner, confirmedLastCredential: true));
            },
        });

        var notices = mails.Where(m => m.Subject.Contains("\"Production\"", StringComparison.Ordinal)).ToList();
        Assert.Equal([0, 3], notices.Select(m => m.Day));
        Assert.Equal("Client secret \"Production\" of " + application.Name + " has expired: API access has stopped", notices[1].Subject);
    }

    [Fact]
    public async Task Activating_an_application_has_the_next_pass_send_the_reminder_it_missed()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("reactivated");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(45));

        var mails = await walk.WalkAsync(6, new Dictionary<int, Func<Task>>
        {
            [0] = () => walk.SetActiveAsync(application, active: false),
            [5] = () => walk.SetActiveAsync(application, active: true),
        });

        var reminder = Assert.Single(mails, m => m.Subject.Contains("expires in", StringComparison.Ordinal));
        Assert.Equal(5, reminder.Day);
        Assert.Contains("expires in 40 days", reminder.Subject, StringComparison.Ordinal);
    }

    private static async Task<List<DateTime?>> NextReminderAtAsync(ReminderWalk walk, params ClientSecret[] secrets)
    {
        await using var db = walk.Portal.CreateDbContext();
        var ids = secrets.Select(s => s.Id).ToList();
        var stored = await db.ClientCredentials.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.NextReminderAt, Token);
        return [.. ids.Select(id => stored[id])];
    }

    private static async Task SetNextReminderAtAsync(ReminderWalk walk, ClientSecret secret, DateTime at)
    {
        await using var db = walk.Portal.CreateDbContext();
        await db.ClientCredentials.Where(c => c.Id == secret.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.NextReminderAt, at), Token);
    }
}
