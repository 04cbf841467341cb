using System.Globalization;
using System.Net;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Retention;
using CredentialPortal.Core.Usage;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Rotation;

/// <summary>Tokens and failures counted per day in memory and written on the flush: exact, also through a clean shutdown.</summary>
public sealed class UsageTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Counts_are_exact_after_a_flush_and_the_api_returns_the_daily_series(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (application, first, firstId) = await CallerAsync(portal);
        var (second, secondId) = await AddSecretAsync(portal, application);
        var counter = portal.Services.GetRequiredService<UsageCounter>();

        await IssueAsync(http, application.ClientId, first, 3);
        await IssueAsync(http, application.ClientId, second, 2);
        await RequestTokenAsync(http, application.ClientId, "wrong-secret-value");
        await counter.FlushAsync(CancellationToken.None);
        // A second flush adds to the same rows.
        await IssueAsync(http, application.ClientId, first, 1);
        await counter.FlushAsync(CancellationToken.None);

        var token = await GetTokenAsync(http, application.ClientId, first, "credentials.self");
        var usage = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/usage?days=30", token));
        var days = usage.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(30, days.Count);
        var today = days[^1];
        Assert.Equal(DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime), DateOnly.Parse(today.GetProperty("day").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(4, today.GetProperty("tokensByCredential").GetProperty(firstId.ToString(CultureInfo.InvariantCulture)).GetInt64());
        Assert.Equal(2, today.GetProperty("tokensByCredential").GetProperty(secondId.ToString(CultureInfo.InvariantCulture)).GetInt64());
        Assert.Equal(6, today.GetProperty("tokens").GetInt64());
        Assert.Equal(1, today.GetProperty("failuresByReason").GetProperty("wrong_secret").GetInt64());
        Assert.All(days[..^1], d => Assert.Equal(0, d.GetProperty("tokens").GetInt64()));
        Assert.Equal([firstId, secondId], usage.GetProperty("credentials").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));

        foreach (var bad in new[] { "0", "401", "abc", "-1", "1.5" })
        {
            await AssertProblemAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/usage?days={bad}", token),
                HttpStatusCode.BadRequest, "days must be a whole number from 1 to 400");
        }

        Assert.Equal(90, (await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/usage?days=90", token)))
            .GetProperty("days").GetArrayLength());
    }

    [Fact]
    public async Task Nothing_counted_is_lost_on_a_clean_shutdown()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, secretId) = await CallerAsync(portal);
        await IssueAsync(http, application.ClientId, secret, 5);

        // What the host does when it stops: every hosted service stopped, the last ones first.
        foreach (var service in portal.Services.GetServices<IHostedService>().Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }

        await using var db = portal.CreateDbContext();
        var row = await db.UsageCounts.SingleAsync(u => u.ApplicationId == application.Id);
        Assert.Equal((secretId, 5L, ""), (row.CredentialId, row.Count, row.FailureReason));
    }

    [Fact]
    public async Task An_application_nothing_called_gets_a_sentence_instead_of_an_empty_chart()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();

        var quiet = await admin.GetAsync($"{CredentialsPages.ListPath}?Search={application.ClientId}");
        Assert.Contains("No tokens issued and no failed authentications in these 30 days.",
            quiet.Document.QuerySelector($"#usage-{application.Id}")!.TextContent, StringComparison.Ordinal);
        Assert.Null(quiet.Document.QuerySelector($"#usage-chart-{application.Id}"));

        await IssueAsync(http, application.ClientId, secret, 1);
        await portal.Services.GetRequiredService<UsageCounter>().FlushAsync(CancellationToken.None);
        var used = await admin.GetAsync($"{CredentialsPages.ListPath}?Search={application.ClientId}");
        Assert.Contains("1 token and 0 failed authentications",
            used.Document.QuerySelector($"#usage-chart-{application.Id} figcaption")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("No tokens issued", used.Document.QuerySelector($"#usage-{application.Id}")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_charts_table_on_the_credentials_page_shows_the_numbers_the_api_returns()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, first, _) = await CallerAsync(portal);
        var (second, _) = await AddSecretAsync(portal, application);
        var counter = portal.Services.GetRequiredService<UsageCounter>();
        await IssueAsync(http, application.ClientId, first, 2);
        await counter.FlushAsync(CancellationToken.None);
        portal.Time.Advance(TimeSpan.FromDays(1));
        await IssueAsync(http, application.ClientId, first, 1);
        await IssueAsync(http, application.ClientId, second, 3);
        await RequestTokenAsync(http, application.ClientId, "wrong");
        await RequestTokenAsync(http, application.ClientId, "wrong");
        await counter.FlushAsync(CancellationToken.None);

        var token = await GetTokenAsync(http, application.ClientId, first, "credentials.self");
        await counter.FlushAsync(CancellationToken.None);
        var api = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/usage?days=90", token));
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var page = await admin.GetAsync($"{CredentialsPages.ListPath}?Search={application.ClientId}&usage=90");

        var table = page.Document.QuerySelector($"#usage-chart-{application.Id} table.usage-table")!;
        var rows = table.QuerySelectorAll("tbody tr").ToDictionary(r => r.GetAttribute("data-day")!,
            r => (Tokens: Number(r.QuerySelector("td.tokens")!.TextContent), Failures: Number(r.QuerySelector("td.failures")!.TextContent.Split(' ')[0])));
        var apiDays = api.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(90, rows.Count);
        foreach (var day in apiDays)
        {
            Assert.Equal((day.GetProperty("tokens").GetInt64(), day.GetProperty("failures").GetInt64()), rows[day.GetProperty("day").GetString()!]);
        }

        Assert.Equal(7, apiDays.Sum(d => d.GetProperty("tokens").GetInt64()));
        Assert.Equal(2, apiDays.Sum(d => d.GetProperty("failures").GetInt64()));
        var svg = page.Document.QuerySelector($"#usage-chart-{application.Id} svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        Assert.Contains("7 tokens and 2 failed authentications", page.Document.QuerySelector($"#usage-chart-{application.Id} figcaption")!.TextContent,
            StringComparison.Ordinal);
        // Two credentials obtained tokens: a column each beside the day and the totals.
        Assert.Equal(5, table.QuerySelectorAll("thead th").Length);
        Assert.DoesNotContain(" style=", svg.OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_removes_daily_counts_older_than_400_days()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var today = DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime);
        await using (var db = portal.CreateDbContext())
        {
            foreach (var age in new[] { 500, 401, 400, 399, 0 })
            {
                db.UsageCounts.Add(new UsageCount { Day = today.AddDays(-age), ApplicationId = 1, CredentialId = 1, Count = age + 1 });
            }

            await db.SaveChangesAsync();
        }

        var deleted = await portal.Services.GetServices<IHostedService>().OfType<RetentionPass>().Single().PruneAsync();
        // A day is as old as its start: 400 days ago began more than 400 days ago.
        Assert.Equal(3, deleted["daily usage counts"]);
        await using var check = portal.CreateDbContext();
        Assert.Equal([today.AddDays(-399), today], await check.UsageCounts.OrderBy(u => u.Day).Select(u => u.Day).ToListAsync());
    }

    private static long Number(string text) => long.Parse(text.Trim(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static async Task IssueAsync(HttpClient http, string clientId, string secret, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await RequestTokenAsync(http, clientId, secret);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
