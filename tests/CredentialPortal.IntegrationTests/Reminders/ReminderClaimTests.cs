using System.Globalization;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Reminders;

/// <summary>Each due (secret, slot) is found once and claimed once, by however many instances.</summary>
public sealed class ReminderClaimTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Paging_through_many_secrets_with_the_same_expiry_finds_each_due_slot_exactly_once()
    {
        await using var walk = await ReminderWalk.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:BatchSize"] = "7" });
        var expected = new List<int>();
        foreach (var days in new[] { 3, 10, 30 })
        {
            var application = await walk.AddApplicationAsync("same-expiry-" + days.ToString(CultureInfo.InvariantCulture));
            for (var i = 0; i < 20; i++)
            {
                expected.Add((await walk.AddSecretAsync(application, "Secret " + i.ToString(CultureInfo.InvariantCulture), walk.Midnight(days))).Id);
            }
        }

        // A third at another instant, as after a change had the next pass look at them: the pages cross to a second
        // instant, besides crossing from one expiry to the next within an instant.
        await using (var db = walk.Portal.CreateDbContext())
        {
            var earlier = walk.Now.AddHours(-1);
            await db.ClientCredentials.Where(c => c.Id % 3 == 0).ExecuteUpdateAsync(u => u.SetProperty(c => c.NextReminderAt, earlier), Token);
        }

        var found = new List<int>();
        await foreach (var due in walk.Pass.FindDueAsync(walk.Now, Token))
        {
            found.Add(due.CredentialId);
        }

        Assert.Equal(expected.Order(), found.Order());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_concurrent_passes_never_send_the_same_reminder_twice(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider, new Dictionary<string, string?> { ["Reminders:BatchSize"] = "25" });
        const int Secrets = 120;
        for (var i = 0; i < Secrets; i++)
        {
            var application = await walk.AddApplicationAsync("concurrent" + i.ToString(CultureInfo.InvariantCulture));
            await walk.AddSecretAsync(application, "Production", walk.Midnight(7 + (i % 30)));
        }

        // Two instances: separate pass objects sharing only the database.
        var instances = Enumerable.Range(0, 2)
            .Select(_ => (Reminders: ActivatorUtilities.CreateInstance<ReminderPass>(walk.Portal.Services),
                Outbox: ActivatorUtilities.CreateInstance<OutboxPass>(walk.Portal.Services)))
            .ToList();
        async Task<(int Claimed, int Sent)> TickAsync(ReminderPass reminders, OutboxPass outbox) =>
            (await reminders.RunAsync(Token), (await outbox.RunAsync(Token)).Sent);
        var results = await Task.WhenAll(instances.Select(i => Task.Run(() => TickAsync(i.Reminders, i.Outbox), Token)));
        var again = await Task.WhenAll(instances.Select(i => Task.Run(() => TickAsync(i.Reminders, i.Outbox), Token)));

        Assert.Equal(Secrets, results.Sum(r => r.Claimed));
        Assert.Equal(Secrets, results.Sum(r => r.Sent) + again.Sum(r => r.Sent));
        Assert.All(again, r => Assert.Equal(0, r.Claimed));
        var mails = walk.Portal.Mail.All();
        Assert.Equal(Secrets, mails.Count);
        Assert.Equal(Secrets, mails.Select(m => m.To.Single()).Distinct().Count());
        await using var db = walk.Portal.CreateDbContext();
        var deliveries = await db.OutboxMessages.ToListAsync(Token);
        Assert.Equal(Secrets, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal((OutboxStatus.Sent, 1), (d.Status, d.Attempts)));
    }
}
