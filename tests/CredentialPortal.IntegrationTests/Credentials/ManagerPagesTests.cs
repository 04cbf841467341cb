using System.Net;
using CredentialPortal.Core;
using CredentialPortal.Core.Outbox;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>
/// Issue 29 items 12–15, as a credential manager reads the pages: one history row per change, stale pages after a delete,
/// who else manages the application, the API as a creator, one date format, expiry presets, titles, snippets and order.
/// </summary>
public sealed class ManagerPagesTests : IAsyncLifetime
{
    private const string ApplicationName = "Partner-NL-DemoOrg-DM";
    private PortalFactory _portal = null!;
    private int _organisationId;
    private OnboardedUser _manager = null!;
    private int _ownApplication;
    private int _otherApplication;
    private CredentialsPages _credentials = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        (_organisationId, var ids) = await _portal.CreateOrganisationAsync("DemoOrg", "DM", "SMC");
        _ownApplication = ids[0];
        _otherApplication = ids[1];
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        _manager = await admin.InviteAndOnboardAsync("jane.doe@demoorg.example", _organisationId, [_ownApplication], "Jane Doe");
        _credentials = new CredentialsPages(_manager.Client, _ownApplication);
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Client.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task The_history_shows_one_row_per_change_with_its_emails_delivery_as_a_detail()
    {
        await _credentials.CreateSecretAsync("Rotating");
        await _credentials.CreateSecretAsync("Replacement");
        await _credentials.ConfirmAsync(await _credentials.DisablePageAsync(await SecretIdAsync("Rotating")));
        await _portal.RunNextPassAsync<OutboxSender>();

        var history = await _credentials.HistoryAsync();

        var events = history.Document.QuerySelectorAll("tbody tr").Select(row => (Event: row.Children[1].TextContent, Details: row.Children[4].TextContent)).ToList();
        Assert.DoesNotContain(events, e => e.Event.StartsWith("Notification", StringComparison.Ordinal));
        Assert.Equal(2, events.Count(e => e.Event == "Secret created"));
        var disabled = Assert.Single(events, e => e.Event == "Secret disabled");
        Assert.Matches(@"Credential managers emailed at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", disabled.Details);
        Assert.All(events.Where(e => e.Event.StartsWith("Secret", StringComparison.Ordinal)),
            e => Assert.Contains("Credential managers emailed", e.Details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_page_of_a_deleted_secret_says_when_and_by_whom_it_was_deleted_and_links_back()
    {
        await _credentials.CreateSecretAsync("Old");
        await _credentials.CreateSecretAsync("New");
        var oldId = await SecretIdAsync("Old");
        await _credentials.ConfirmAsync(await _credentials.DisablePageAsync(oldId));
        // Pages left open in other tabs: a disable confirmation, and the list with the disabled secret's Enable button.
        var staleDisable = await _credentials.DisablePageAsync(oldId);
        var staleList = await _credentials.ListAsync();
        _portal.Time.Advance(TimeSpan.FromMinutes(5));
        await _credentials.ConfirmAsync(await _credentials.DeletePageAsync(oldId));

        foreach (var stale in new[]
        {
            await _credentials.ConfirmAsync(staleDisable),
            await _credentials.DeletePageAsync(oldId),
            await _credentials.EnableAsync(staleList, oldId),
        })
        {
            Assert.Equal(HttpStatusCode.Gone, stale.Status);
            Assert.Equal("This secret was deleted", stale.Heading);
            Assert.Contains($"The secret 'Old' (", stale.Text, StringComparison.Ordinal);
            Assert.Contains($"of {ApplicationName} was deleted on {Now()} by jane.doe@demoorg.example.", Squeezed(stale.Text), StringComparison.Ordinal);
            Assert.NotNull(stale.Document.QuerySelector($"a[href='/manage-api-credentials#app-{_ownApplication}']"));
        }

        var unknown = await _manager.Client.GetAsync(_credentials.DisablePath(999_999));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains($"{ApplicationName} has no secret with this address", unknown.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_secret_of_another_application_stays_a_bare_404()
    {
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        var theirs = new CredentialsPages(admin, _otherApplication);
        await theirs.CreateSecretAsync("Theirs");
        await theirs.CreateSecretAsync("Theirs too");
        var id = await SecretIdAsync("Theirs");
        await theirs.ConfirmAsync(await theirs.DeletePageAsync(id));

        foreach (var url in new[] { new CredentialsPages(_manager.Client, _otherApplication).DeletePath(id), _credentials.DeletePath(id) })
        {
            var page = await _manager.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, page.Status);
            Assert.DoesNotContain("Theirs", page.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("deleted on", page.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Managers_see_who_else_manages_their_application()
    {
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        var colleague = await admin.InviteAndOnboardAsync("john.roe@demoorg.example", _organisationId, [_ownApplication], "John Roe");
        colleague.Client.Dispose();

        var section = _credentials.Section(await _credentials.ListAsync())!;

        var managers = section.QuerySelectorAll("ul.managers li").Select(li => Squeezed(li.TextContent)).ToList();
        Assert.Equal(["Jane Doe jane.doe@demoorg.example (you)", "John Roe john.roe@demoorg.example"], managers);
        Assert.NotNull(section.QuerySelector("a[href='mailto:john.roe@demoorg.example']"));
    }

    [Fact]
    public async Task A_secret_created_through_the_management_API_names_its_application_not_its_client_id()
    {
        var application = await SelfRotatingAsync();
        using var http = _portal.CreateClient();
        var (secret, _) = await TokenServiceTestKit.AddSecretAsync(_portal, application);
        var token = await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, application.ClientId, token, "From CI", Date(_portal, 30))).StatusCode);
        await _portal.RunNextPassAsync<OutboxSender>();

        var row = CredentialsPages.Rows(await _credentials.ListAsync(), Core.Credentials.CredentialKind.Secret).Single(r => r.TextContent.Contains("From CI", StringComparison.Ordinal));
        var history = await _credentials.HistoryAsync();

        Assert.Contains($"by {ApplicationName} (API)", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(application.ClientId, row.TextContent, StringComparison.Ordinal);
        Assert.Contains(history.Document.QuerySelectorAll("tbody tr"), r => r.Children[1].TextContent == "Secret created" && r.Children[2].TextContent == $"{ApplicationName} (API)");
        var email = _portal.Mail.To(_manager.Email).Last(m => m.Subject.StartsWith("Client secret created", StringComparison.Ordinal));
        Assert.Contains($"By:          {ApplicationName} (API)", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<td>{ApplicationName} (API)</td>", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_and_emails_write_times_in_one_format_with_the_zone()
    {
        var created = await _credentials.CreateSecretAsync("Dated");
        var now = Now();
        await _portal.RunNextPassAsync<OutboxSender>();
        var expires = PortalText.Time(_portal.Time.GetUtcNow().UtcDateTime.Date.AddYears(1));

        var row = CredentialsPages.Rows(await _credentials.ListAsync(), Core.Credentials.CredentialKind.Secret).Single();
        var history = await _credentials.HistoryAsync();
        var email = _portal.Mail.To(_manager.Email).Single(m => m.Subject.StartsWith("Client secret created", StringComparison.Ordinal));

        Assert.Contains($"Expires {expires}.", created.Page.Text, StringComparison.Ordinal);
        Assert.Equal([now, expires], row.QuerySelectorAll("time").Take(2).Select(t => t.TextContent));
        Assert.Equal(now, history.Document.QuerySelector("tbody tr td time")!.TextContent);
        Assert.Contains($"When:        {now}", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<td>{now}</td>", email.HtmlBody, StringComparison.Ordinal);
        Assert.Empty(history.Document.QuerySelectorAll("time[data-format]"));
    }

    [Fact]
    public async Task The_new_secret_and_new_key_forms_offer_expiry_presets_that_a_script_shows()
    {
        var today = DateOnly.FromDateTime(_portal.Time.GetUtcNow().UtcDateTime);
        foreach (var form in new[] { await _credentials.NewSecretFormAsync(), await _manager.Client.GetAsync(_credentials.NewKeyPath) })
        {
            var presets = form.Document.QuerySelector("[data-expiry-presets]")!;
            Assert.True(presets.HasAttribute("hidden"));
            Assert.Equal("Input_ExpiresOn", presets.GetAttribute("data-expiry-presets"));
            Assert.NotNull(form.Document.GetElementById("Input_ExpiresOn"));
            Assert.Equal(["30 days", "90 days", "365 days"], presets.QuerySelectorAll("button").Select(b => b.TextContent));
            Assert.Equal(Core.Credentials.CredentialExpiryPolicy.PresetDays.Select(days => today.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                presets.QuerySelectorAll("button").Select(b => b.GetAttribute("data-expiry-date")));
            Assert.NotNull(form.Document.QuerySelector("script[src^='/js/expiry-presets']"));
        }
    }

    [Fact]
    public async Task Titles_and_header_name_the_product_once_and_the_favicon_loads()
    {
        var list = await _credentials.ListAsync();
        using var anonymous = new PortalClient(_portal);
        var home = await anonymous.GetAsync("/");

        Assert.Equal("Applications and credentials · Manage API Credentials", list.Document.Title);
        Assert.Equal("Manage API Credentials", home.Document.Title);
        Assert.Equal("Manage API Credentials", list.Document.QuerySelector("header .brand")!.TextContent);
        Assert.Empty(home.Document.QuerySelectorAll("a[href^='/healthz']"));
        var icon = home.Document.QuerySelector("link[rel=icon]")!.GetAttribute("href")!;
        Assert.StartsWith("/favicon", icon, StringComparison.Ordinal);
        using var response = await anonymous.Http.GetAsync(new Uri(icon, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Each_snippet_comments_in_its_own_language()
    {
        var section = _credentials.Section(await _credentials.ListAsync())!;

        var csharp = section.QuerySelector($"#msal-{_ownApplication}")!.TextContent.Split('\n');
        var shell = section.QuerySelector($"#jwt-{_ownApplication}")!.TextContent.Split('\n');

        Assert.DoesNotContain(csharp, line => line.TrimStart().StartsWith('#'));
        Assert.StartsWith("// MSAL.NET", csharp[0], StringComparison.Ordinal);
        Assert.DoesNotContain(shell, line => line.TrimStart().StartsWith("//", StringComparison.Ordinal));
        Assert.StartsWith("curl", shell.First(line => !line.StartsWith('#')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrators_get_organisations_and_applications_in_alphabetical_order_whatever_their_accents()
    {
        await _portal.CreateOrganisationAsync("Czechia Partners", "DM");
        await _portal.CreateOrganisationAsync("Ärzte", "DM");
        await _portal.CreateOrganisationAsync("Côte Santé", "DM");
        await _portal.CreateOrganisationAsync("abc Zorg", "DM");
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();

        var list = await new CredentialsPages(admin, _ownApplication).ListAsync();

        Assert.Equal(["abc Zorg", "Ärzte", "Côte Santé", "Czechia Partners", "DemoOrg", "Operator"],
            list.Document.QuerySelectorAll("#OrganisationId option").Skip(1).Select(o => o.TextContent));
        // Application names carry no accents (ApplicationName.NamePart), but a byte order would still put "abc" after "Z".
        Assert.Equal(["Partner-NL-abcZorg-DM", "Partner-NL-Arzte-DM", "Partner-NL-CoteSante-DM", "Partner-NL-CzechiaPartners-DM", "Partner-NL-DemoOrg-DM", "Partner-NL-DemoOrg-SMC"],
            CredentialsPages.ApplicationNames(list));
        Assert.Contains("6 applications.", list.Text, StringComparison.Ordinal);
    }

    private string Now() => PortalText.Time(_portal.Time.GetUtcNow().UtcDateTime);

    private static string Squeezed(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private async Task<int> SecretIdAsync(string name)
    {
        await using var db = _portal.CreateDbContext();
        return await db.ClientSecrets.Where(s => s.Name == name).Select(s => s.Id).SingleAsync();
    }

    private async Task<TestApplication> SelfRotatingAsync()
    {
        await using var db = _portal.CreateDbContext();
        var application = await db.Applications.SingleAsync(a => a.Id == _ownApplication);
        application.AllowSelfRotation = true;
        await db.SaveChangesAsync();
        return new TestApplication(application.Id, application.ClientId, application.Name);
    }
}
