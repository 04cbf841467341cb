using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using static CredentialPortal.Testing.Admin.AdminPages;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>
/// Paged lists (issue 14): the audit log by keyset, the others by number; following the links reaches every row once.
/// </summary>
public sealed class ListPagingTests
{
    [Fact]
    public async Task The_next_link_of_a_numbered_list_leads_to_its_second_page()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        await portal.CreateOrganisationAsync("Pagers", "DM");
        await using (var db = portal.CreateDbContext())
        {
            var organisation = db.Organisations.Single(o => o.Name == "Pagers");
            db.Applications.AddRange(Enumerable.Range(0, 54).Select(i => new Core.Applications.Application
            {
                ClientId = Core.Credentials.SecretGenerator.NewClientId(),
                Name = $"Partner-NL-Pagers-DM-{i:D2}",
                OrganisationId = organisation.Id,
                ApiCode = "DM",
                CreatedAt = portal.Time.GetUtcNow().UtcDateTime,
            }));
            await db.SaveChangesAsync();
        }

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new AdminPages(admin);
        var first = await pages.ApplicationsAsync("Pagers");
        var second = await pages.FollowPagerAsync(first, "Next");

        Assert.Contains("Page 1 of 2", PagerText(first), StringComparison.Ordinal);
        Assert.Contains("Page 2 of 2", PagerText(second), StringComparison.Ordinal);
        Assert.Equal(5, RowCount(second));
        Assert.Contains("Search=Pagers", PagerLink(second, "Previous"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Older_and_newer_links_walk_the_log_newest_first_without_gaps_or_repeats(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var start = portal.Time.GetUtcNow().UtcDateTime.AddDays(-1);
        await using (var db = portal.CreateDbContext())
        {
            // 230 events, pairs of them at the same instant, so that the id has to break ties.
            db.AuditEvents.AddRange(Enumerable.Range(0, 230).Select(i => new AuditEvent
            {
                OccurredAt = start.AddSeconds(i / 2),
                EventType = AuditEventTypes.SecretCreated,
                Actor = "paging-test",
                Details = $"event {i:D3}",
            }));
            await db.SaveChangesAsync();
        }

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new AdminPages(admin);
        const string First = "Actor=paging-test";

        var page1 = await pages.AuditAsync(First);
        var page2 = await pages.FollowPagerAsync(page1, "Older");
        var page3 = await pages.FollowPagerAsync(page2, "Older");
        var backTo2 = await pages.FollowPagerAsync(page3, "Newer");
        var backTo1 = await pages.FollowPagerAsync(backTo2, "Newer");

        Assert.Contains("Page 2", PagerText(page2), StringComparison.Ordinal);
        var walked = AuditDetails(page1).Concat(AuditDetails(page2)).Concat(AuditDetails(page3)).ToList();
        Assert.Equal(Enumerable.Range(0, 230).Reverse().Select(i => $"event {i:D3}"), walked);
        Assert.Equal(30, AuditDetails(page3).Count);
        Assert.Null(PagerLink(page3, "Older"));
        Assert.Equal(AuditDetails(page2), AuditDetails(backTo2));
        Assert.Equal(AuditDetails(page1), AuditDetails(backTo1));
        Assert.Contains("Page 1", PagerText(backTo1), StringComparison.Ordinal);
        Assert.Null(PagerLink(backTo1, "Newer"));
        // A bookmarked page number still works (by offset), and a malformed cursor shows the newest page.
        Assert.Equal(AuditDetails(page2), AuditDetails(await pages.AuditAsync(First + "&page=2")));
        Assert.Equal(AuditDetails(page1), AuditDetails(await pages.AuditAsync(First + "&Before=not-a-cursor")));
        Assert.Empty(AuditDetails(await pages.AuditAsync(First + "&page=2147483647")));
    }
}
