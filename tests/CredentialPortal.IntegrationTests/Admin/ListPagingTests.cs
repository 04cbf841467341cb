using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;

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
                ClientId = Core.Secrets.SecretGenerator.NewClientId(),
                Name = $"Partner-NL-Pagers-DM-{i:D2}",
                OrganisationId = organisation.Id,
                ApiCode = "DM",
                CreatedAt = portal.Time.GetUtcNow().UtcDateTime,
            }));
            await db.SaveChangesAsync();
        }

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var first = await admin.GetAsync("/admin/applications?Search=Pagers");
        var second = await admin.GetAsync(Link(first, "Next"));

        Assert.Contains("Page 1 of 2", first.Document.QuerySelector(".pager")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Page 2 of 2", second.Document.QuerySelector(".pager")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(5, second.Document.QuerySelectorAll("tbody tr").Length);
        Assert.Contains("Search=Pagers", Link(second, "Previous"), StringComparison.Ordinal);
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
        const string First = "/admin/audit?Actor=paging-test";

        var page1 = await admin.GetAsync(First);
        var page2 = await admin.GetAsync(Link(page1, "Older"));
        var page3 = await admin.GetAsync(Link(page2, "Older"));
        var backTo2 = await admin.GetAsync(Link(page3, "Newer"));
        var backTo1 = await admin.GetAsync(Link(backTo2, "Newer"));

        Assert.Contains("Page 2", page2.Document.QuerySelector(".pager")!.TextContent, StringComparison.Ordinal);
        var walked = Details(page1).Concat(Details(page2)).Concat(Details(page3)).ToList();
        Assert.Equal(Enumerable.Range(0, 230).Reverse().Select(i => $"event {i:D3}"), walked);
        Assert.Equal(30, Details(page3).Count);
        Assert.Null(page3.Document.QuerySelectorAll(".pager a").FirstOrDefault(a => a.TextContent.Contains("Older", StringComparison.Ordinal)));
        Assert.Equal(Details(page2), Details(backTo2));
        Assert.Equal(Details(page1), Details(backTo1));
        Assert.Contains("Page 1", backTo1.Document.QuerySelector(".pager")!.TextContent, StringComparison.Ordinal);
        Assert.Null(backTo1.Document.QuerySelectorAll(".pager a").FirstOrDefault(a => a.TextContent.Contains("Newer", StringComparison.Ordinal)));
        // A bookmarked page number still works (by offset), and a malformed cursor shows the newest page.
        Assert.Equal(Details(page2), Details(await admin.GetAsync(First + "&page=2")));
        Assert.Equal(Details(page1), Details(await admin.GetAsync(First + "&Before=not-a-cursor")));
        Assert.Empty(Details(await admin.GetAsync(First + "&page=2147483647")));
    }

    private static string Link(HtmlPage page, string label) =>
        page.Document.QuerySelectorAll(".pager a").First(a => a.TextContent.Contains(label, StringComparison.Ordinal)).GetAttribute("href")!;

    private static List<string> Details(HtmlPage page) =>
        page.Document.QuerySelectorAll("tbody tr td:last-child").Select(td => td.TextContent.Trim()).ToList();
}
