using CredentialPortal.Core.Credentials;
using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Credentials;
using CredentialPortal.IntegrationTests.TokenService;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using CredentialPortal.TokenService.Clients;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>The administrators' pages through their real forms.</summary>
public sealed class AdminPagesTests : IAsyncLifetime
{
    private PortalFactory _portal = null!;
    private PortalClient _admin = null!;
    private Testing.Admin.AdminPages _pages = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        _admin = new PortalClient(_portal);
        await _admin.SignInAsAdministratorAsync();
        _pages = new Testing.Admin.AdminPages(_admin);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task From_an_empty_database_an_administrator_sets_up_a_partner_whose_manager_then_rotates_a_secret()
    {
        var organisationId = await CreateOrganisationAsync("Acme Registry", "DE");
        var created = await CreateApplicationAsync(organisationId, "DM", permissions: ["data-manager|Production", "data-manager|Sandbox"]);
        Assert.Contains("Partner-DE-AcmeRegistry-DM", created.Text);
        var applicationId = await ApplicationIdAsync("Partner-DE-AcmeRegistry-DM");

        var manager = await _admin.InviteAndOnboardAsync("max@acme.example", organisationId, displayName: "Max Mustermann");
        var editPage = await _pages.ApplicationAsync(applicationId);
        Assert.Contains("has 0 credential managers", editPage.Text);
        var assigned = await _pages.AssignManagerAsync(applicationId, await _portal.UserIdAsync("max@acme.example"));
        Assert.True(assigned.Text.Contains("max@acme.example is now a credential manager", StringComparison.Ordinal), assigned.Errors + string.Join(" ", assigned.FieldErrors));
        await _portal.RunNextPassAsync<OutboxSender>();
        Assert.Contains(_portal.Mail.To("max@acme.example"), m => m.Subject.StartsWith("You are now a credential manager", StringComparison.Ordinal));

        var credentials = new CredentialsPages(manager.Client, applicationId);
        var list = await credentials.ListAsync();
        Assert.Contains("Partner-DE-AcmeRegistry-DM", list.Text);
        var secret = (await credentials.CreateSecretAsync("Secret by Max")).Value;
        using var http = _portal.CreateClient();
        using var token = await TokenClient.RequestTokenAsync(http, await ClientIdAsync(applicationId), secret, basic: false);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Contains("data-manager:sandbox", await token.Content.ReadAsStringAsync());
        manager.Client.Dispose();
    }

    [Fact]
    public async Task Organisations_are_validated_beside_the_field_and_deactivation_is_confirmed_before_it_applies()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");

        var duplicate = await SubmitOrganisationAsync("/admin/organisations/create", "Acme", "NL");
        var badCountry = await SubmitOrganisationAsync("/admin/organisations/create", "Other", "XX");
        var missing = await SubmitOrganisationAsync("/admin/organisations/create", "", "");
        Assert.Contains("Another organisation is already called Acme", duplicate.Text);
        Assert.Contains("'XX' is not an ISO 3166-1 alpha-2 country code.", badCountry.Text);
        Assert.Contains("Enter the organisation's name.", missing.Text);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(1, await db.Organisations.CountAsync(o => o.Name != "Operator"));
        }

        var listed = await _admin.GetAsync("/admin/organisations");
        Assert.Contains("Netherlands (NL)", listed.Text);

        // Deactivation says what it stops and waits for a second confirmation.
        var confirm = await SubmitOrganisationAsync($"/admin/organisations/{organisationId}", "Acme", "NL", active: false);
        Assert.Contains("will get no more tokens, at once", confirm.Text, StringComparison.Ordinal);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.True((await db.Organisations.SingleAsync(o => o.Id == organisationId)).IsActive);
        }

        var saved = await _pages.ConfirmOrganisationAsync(confirm, "NL");
        Assert.True(saved.Text.Contains("Organisation Acme saved.", StringComparison.Ordinal), saved.Text + saved.Errors);
        await using var check = _portal.CreateDbContext();
        Assert.False((await check.Organisations.SingleAsync(o => o.Id == organisationId)).IsActive);
        Assert.Contains(await check.AuditEvents.Select(e => e.EventType).ToListAsync(), t => t == AuditEventTypes.OrganisationChanged);
    }

    [Fact]
    public async Task Applications_refuse_bad_names_duplicates_and_production_permissions_on_sandbox_only_applications()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");
        await CreateApplicationAsync(organisationId, "DM");

        var duplicate = await CreateApplicationAsync(organisationId, "DM");
        var badName = await CreateApplicationAsync(organisationId, "DM", name: "Acme-DM");
        var wrongCountry = await CreateApplicationAsync(organisationId, "SMC", name: "Partner-DE-Acme-SMC");
        var sandbox = await CreateApplicationAsync(organisationId, "SMC", sandboxOnly: true, permissions: ["match-connect|Production"]);

        Assert.Contains("Another application already has this name.", duplicate.Text);
        Assert.Contains("The name must follow Partner-", badName.Text);
        Assert.Contains("must be the organisation's (NL)", wrongCountry.Text);
        Assert.Contains("can hold sandbox permissions only", sandbox.Text);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(["Partner-NL-Acme-DM"], await db.Applications.Select(a => a.Name).ToListAsync());
    }

    [Fact]
    public async Task A_first_secret_is_refused_under_keys_only_and_the_application_is_not_created()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");

        var page = await _pages.CreateApplicationAsync(organisationId, "DM", firstSecret: "Initial secret", policy: AllowedKinds.Keys);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("A first secret cannot be created under \"Keys only\"", page.Text, StringComparison.Ordinal);
        Assert.Null(CredentialsPages.NewSecretValue(page));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.Applications.AnyAsync());
    }

    [Fact]
    public async Task The_first_secret_can_be_created_with_the_application_and_is_shown_once()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");

        var page = await CreateApplicationAsync(organisationId, "SMC", sandboxOnly: true, permissions: ["match-connect|Sandbox"], firstSecret: "Initial secret");

        Assert.True(page.Response.Headers.CacheControl?.NoStore);
        var value = CredentialsPages.NewSecretValue(page)!;
        await using var db = _portal.CreateDbContext();
        var application = await db.Applications.Include(a => a.Secrets).SingleAsync();
        Assert.Equal("PartnerAlternative-NL-Acme-SMC", application.Name);
        Assert.Equal(SecretFormat.HintOf(value), Assert.Single(application.Secrets).Hint);
        var reloaded = await _pages.ApplicationAsync(application.Id);
        Assert.DoesNotContain(value, reloaded.Body);

        // The secret has a page of its own, with no form that would post to the create handler; continuing leads to
        // the application's page, whose form edits it.
        Assert.Empty(page.Document.QuerySelectorAll("main form"));
        Assert.Equal("PartnerAlternative-NL-Acme-SMC created", page.Heading);
        var continued = await _admin.GetAsync(page.Document.QuerySelector("a#continue")!.GetAttribute("href")!);
        Assert.Equal($"/admin/applications/{application.Id}", continued.Path);
        Assert.Equal("PartnerAlternative-NL-Acme-SMC", continued.Document.QuerySelector("#Input_Name")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Only_users_of_the_applications_organisation_can_be_made_managers_and_removal_is_emailed()
    {
        var acme = await CreateOrganisationAsync("Acme", "NL");
        var other = await CreateOrganisationAsync("Other", "NL");
        await CreateApplicationAsync(acme, "DM");
        var applicationId = await ApplicationIdAsync("Partner-NL-Acme-DM");
        await _admin.InviteAsync("outsider@other.example", other);
        await _admin.InviteAsync("insider@acme.example", acme);
        var page = await _pages.ApplicationAsync(applicationId);

        var refused = await _pages.AssignManagerAsync(applicationId, await _portal.UserIdAsync("outsider@other.example"));
        Assert.True(refused.Text.Contains("belongs to another organisation", StringComparison.Ordinal), refused.ToString() + refused.Body);
        var added = await _pages.AssignManagerAsync(applicationId, await _portal.UserIdAsync("insider@acme.example"));
        var removed = await _pages.RemoveFirstManagerAsync(added);

        Assert.Contains("no longer manages", removed.Text);
        await _portal.RunNextPassAsync<OutboxSender>();
        Assert.Contains(_portal.Mail.To("insider@acme.example"), m => m.Subject.StartsWith("You are no longer a credential manager", StringComparison.Ordinal));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(0, await db.CredentialManagers.CountAsync());
        Assert.Equal([AuditEventTypes.RoleGranted, AuditEventTypes.RoleRevoked],
            await db.AuditEvents.Where(e => e.ApplicationId == applicationId && e.EventType.StartsWith("role.")).OrderBy(e => e.Id).Select(e => e.EventType).ToListAsync());
    }

    [Fact]
    public async Task Deactivating_an_application_stops_its_tokens_at_once()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");
        var page = await CreateApplicationAsync(organisationId, "DM", permissions: ["data-manager|Production"], firstSecret: "s");
        var secret = CredentialsPages.NewSecretValue(page)!;
        var applicationId = await ApplicationIdAsync("Partner-NL-Acme-DM");
        var clientId = await ClientIdAsync(applicationId);
        using var http = _portal.CreateClient();
        Task<HttpResponseMessage> TokenAsync() => TokenClient.RequestTokenAsync(http, clientId, secret, basic: false);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync()).StatusCode);

        var saved = await _pages.DeactivateApplicationAsync(applicationId);
        Assert.True(saved.Text.Contains("saved", StringComparison.Ordinal), saved.Errors + saved.Status);

        // The token service learns of the change with its next poll of the change log (well within a second).
        await _portal.RunNextPassAsync<CredentialChangePoller>();
        using var response = await TokenAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("inactive", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Marking_an_application_as_resource_server_is_audited_and_lets_it_introspect()
    {
        var organisationId = await CreateOrganisationAsync("Resource Org", "NL");
        var page = await CreateApplicationAsync(organisationId, "DM", permissions: ["data-manager|Production"], firstSecret: "s");
        var secret = CredentialsPages.NewSecretValue(page)!;
        var applicationId = await ApplicationIdAsync("Partner-NL-ResourceOrg-DM");
        var clientId = await ClientIdAsync(applicationId);
        using var http = _portal.CreateClient();
        Task<HttpResponseMessage> IntrospectAsync() => http.PostAsync("/connect/introspect", new FormUrlEncodedContent(
            [new("token", "x"), new("client_id", clientId), new("client_secret", secret)]));
        Assert.Equal(HttpStatusCode.Forbidden, (await IntrospectAsync()).StatusCode);

        var saved = await _pages.SaveApplicationAsync(applicationId, new Dictionary<string, string> { ["Input.IsResourceServer"] = "true", ["Input.NotificationEmails"] = "" });
        Assert.True(saved.Text.Contains("saved", StringComparison.Ordinal), saved.Errors + saved.Status);

        await _portal.RunNextPassAsync<CredentialChangePoller>();
        Assert.Equal(HttpStatusCode.OK, (await IntrospectAsync()).StatusCode);
        await using var db = _portal.CreateDbContext();
        Assert.Contains(await db.AuditEvents.Where(e => e.ApplicationId == applicationId).Select(e => e.Details).ToListAsync(),
            d => d != null && d.Contains("resource server on (partner APIs' audiences)", StringComparison.Ordinal));

        // Its own audiences: one per line, each a single word; a line with spaces is refused and nothing is saved.
        var refused = await _pages.SaveApplicationAsync(applicationId, new Dictionary<string, string>
        {
            ["Input.IsResourceServer"] = "true", ["Input.NotificationEmails"] = "", ["Input.IntrospectionAudiences"] = "https://dm.example.org\nnot an audience",
        });
        Assert.Contains("'not an audience' is not an audience", refused.Errors, StringComparison.Ordinal);
        var audiences = await _pages.SaveApplicationAsync(applicationId, new Dictionary<string, string>
        {
            ["Input.IsResourceServer"] = "true", ["Input.NotificationEmails"] = "", ["Input.IntrospectionAudiences"] = " https://dm.example.org \r\nhttps://smc.example.org",
        });
        Assert.True(audiences.Text.Contains("saved", StringComparison.Ordinal), audiences.Errors + audiences.Status);
        Assert.Equal(["https://dm.example.org", "https://smc.example.org"],
            await db.Applications.Where(a => a.Id == applicationId).Select(a => a.IntrospectionAudiences).SingleAsync());
    }

    [Fact]
    public async Task Users_can_be_disabled_unlocked_reset_and_promoted_but_the_last_administrator_stays()
    {
        var operatorId = await _portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        var colleague = await _admin.InviteAndOnboardAsync("colleague@operator.example", operatorId);
        var adminId = await UserIdAsync(PortalFactory.AdminEmail);
        var colleagueId = await UserIdAsync(colleague.Email);

        var lastAdmin = await UserActionAsync("RemoveAdministrator", adminId);
        Assert.Contains("last active administrator", lastAdmin.Text);

        Assert.Contains("is now an administrator", (await UserActionAsync("MakeAdministrator", colleagueId)).Text);
        Assert.Contains("Administration", (await colleague.Client.GetAsync("/admin")).Text);
        Assert.Contains("no longer an administrator", (await UserActionAsync("RemoveAdministrator", colleagueId)).Text);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Client.GetAsync("/admin")).Status);

        Assert.Contains("authenticator of colleague@operator.example is reset", (await UserActionAsync("ResetMfa", colleagueId)).Text);
        var thrownOut = await colleague.Client.GetAsync(CredentialsPages.ListPath);
        Assert.StartsWith("/Account/Login", thrownOut.Path, StringComparison.OrdinalIgnoreCase);

        Assert.Contains("is disabled", (await UserActionAsync("Disable", colleagueId)).Text);
        Assert.Contains("is enabled", (await UserActionAsync("Enable", colleagueId)).Text);
        await using (var db = _portal.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == Guid.Parse(colleagueId)).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, _portal.Time.GetUtcNow().AddHours(1)));
        }

        var locked = await _admin.GetAsync("/admin/users?LockedOut=true");
        Assert.Contains(colleague.Email, locked.Text);
        Assert.Contains("is unlocked", (await UserActionAsync("Unlock", colleagueId)).Text);
        colleague.Client.Dispose();

        // Every change to the person's role, factors or account state reached them, in the order made.
        await _portal.RunNextPassAsync<OutboxSender>();
        var notices = _portal.Mail.To(colleague.Email).Select(m => m.Subject).SkipWhile(s => !s.StartsWith("You are now", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "You are now an administrator of Manage API Credentials",
            "You are no longer an administrator of Manage API Credentials",
            "Set up your new authenticator app",
            "Your Manage API Credentials account was disabled",
            "Your Manage API Credentials account was enabled",
            "Your Manage API Credentials account was unlocked",
        ], notices);
        Assert.Contains("admin@operator.example made you an administrator", _portal.Mail.To(colleague.Email)
            .Single(m => m.Subject.StartsWith("You are now", StringComparison.Ordinal)).TextBody, StringComparison.Ordinal);

        // The buttons that change roles, factors or the account's state ask first, saying what will happen.
        var list = await _admin.GetAsync($"/admin/users?Search={Uri.EscapeDataString(colleague.Email)}");
        foreach (var handler in new[] { "ResetMfa", "Disable", "MakeAdministrator" })
        {
            var confirm = list.Document.QuerySelector($"form[action*='handler={handler}']")!.GetAttribute("data-confirm");
            Assert.True(confirm?.Contains(colleague.Email, StringComparison.Ordinal), $"{handler}: {confirm}");
        }
    }

    [Fact]
    public async Task A_partner_organisations_user_is_not_made_administrator_unless_the_operator_allows_it()
    {
        await _pages.CreateOrganisationAsync("Acme", "DE");
        var acmeId = await _portal.OrganisationIdAsync("Acme");
        await _admin.InviteAsync("max@acme.example", acmeId);
        var maxId = await UserIdAsync("max@acme.example");

        // The operating organisation is marked as such, and its page links to what it holds.
        var organisations = await _admin.GetAsync("/admin/organisations");
        var operatorBadges = organisations.Document.QuerySelectorAll("tbody tr").Where(r => r.QuerySelectorAll(".badge").Any(b => b.TextContent == "Operator"));
        Assert.DoesNotContain("Acme", Assert.Single(operatorBadges).TextContent, StringComparison.Ordinal);
        var acme = await _admin.GetAsync($"/admin/organisations/{acmeId}");
        Assert.Null(acme.Document.QuerySelector("#operator-note"));
        Assert.Equal(["0 applications", "1 user", "0 webhook endpoints"],
            acme.Document.QuerySelectorAll("#organisation-links a").Select(a => a.TextContent));
        Assert.Equal($"/admin/users?OrganisationId={acmeId}", acme.Document.QuerySelectorAll("#organisation-links a")[1].GetAttribute("href"));

        // No button for a partner's user, and a forced request is refused with the reason; nothing changes, nobody is told.
        var list = await _admin.GetAsync("/admin/users?Search=max%40acme.example");
        Assert.Null(list.Document.QuerySelector("form[action*='handler=MakeAdministrator']"));
        var refused = await UserActionAsync("MakeAdministrator", maxId);
        Assert.Contains("max@acme.example was not made administrator: Acme is a partner organisation", refused.Text, StringComparison.Ordinal);
        Assert.Contains("Portal:AllowPartnerAdministrators", refused.Text, StringComparison.Ordinal);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.UserRoles.AnyAsync(r => r.UserId == Guid.Parse(maxId)));
        }

        // An operator who allows partners' users gets the button and the role.
        await using var allowing = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Reminders:Enabled"] = "false", ["Portal:AllowPartnerAdministrators"] = "true",
        });
        using var admin = new PortalClient(allowing);
        await admin.SignInAsAdministratorAsync();
        var pages = new Testing.Admin.AdminPages(admin);
        await pages.CreateOrganisationAsync("Acme", "DE");
        await admin.InviteAsync("max@acme.example", await allowing.OrganisationIdAsync("Acme"));
        var allowed = await admin.GetAsync("/admin/users?Search=max%40acme.example");
        Assert.NotNull(allowed.Document.QuerySelector("form[action*='handler=MakeAdministrator']"));
        Assert.Contains("is now an administrator", (await pages.UserActionAsync("MakeAdministrator", await allowing.UserIdAsync("max@acme.example"))).Text);
    }

    [Fact]
    public async Task The_applications_and_users_lists_export_what_their_filters_select_as_csv()
    {
        await _pages.CreateOrganisationAsync("Acme", "DE");
        var acmeId = await _portal.OrganisationIdAsync("Acme");
        await CreateApplicationAsync(acmeId, "DM", permissions: ["data-manager|Production"]);
        await _admin.InviteAsync("max@acme.example", acmeId, displayName: "=HYPERLINK(\"x\")");

        var list = await _admin.GetAsync($"/admin/applications?OrganisationId={acmeId}");
        var href = list.Document.QuerySelector("#export-csv")!.GetAttribute("href");
        using var applications = await _admin.Http.GetAsync(href);
        Assert.Equal("text/csv", applications.Content.Headers.ContentType?.MediaType);
        Assert.Equal("applications.csv", applications.Content.Headers.ContentDisposition?.FileNameStar ?? applications.Content.Headers.ContentDisposition?.FileName);
        var rows = (await applications.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"name\",\"client_id\",\"organisation\",\"api\",\"sandbox_only\",\"status\",\"credential_managers\",\"active_credentials\",\"next_expiry_utc\"", rows[0]);
        Assert.StartsWith("\"Partner-DE-Acme-DM\",", Assert.Single(rows[1..]), StringComparison.Ordinal);
        Assert.EndsWith(",\"DM\",\"no\",\"Active\",\"0\",\"0\",", rows[1], StringComparison.Ordinal);

        var users = await _admin.GetAsync($"/admin/users?OrganisationId={acmeId}");
        using var csv = await _admin.Http.GetAsync(users.Document.QuerySelector("#export-csv")!.GetAttribute("href"));
        var userRows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        // Only Acme's user, and a name that looks like a formula is defused.
        Assert.Equal("\"max@acme.example\",\"'=HYPERLINK(\"\"x\"\")\",\"Acme\",\"no\",\"0\",\"no\",,\"invited\"", Assert.Single(userRows[1..]));
    }

    [Fact]
    public async Task Resetting_the_MFA_of_a_user_who_never_set_it_up_says_so()
    {
        var operatorId = await _portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        await _admin.InviteAsync("new@operator.example", operatorId);
        var reset = await UserActionAsync("ResetMfa", await UserIdAsync("new@operator.example"));
        Assert.Contains("new@operator.example had not set up an authenticator yet", reset.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("is reset", reset.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pending_invitation_can_be_resent_and_the_old_link_stops_working()
    {
        var operatorId = await _portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        var firstLink = await _admin.InviteAsync("late@operator.example", operatorId);

        var resent = await UserActionAsync("ResendInvitation", await UserIdAsync("late@operator.example"));
        var secondLink = await _portal.LatestLinkToAsync("late@operator.example", "AcceptInvitation");

        Assert.Contains("A new invitation was sent", resent.Text);
        Assert.NotEqual(firstLink, secondLink);
        using var invitee = new PortalClient(_portal);
        Assert.DoesNotContain("Input.Password", (await invitee.GetAsync(firstLink)).Body);
        Assert.Contains("Input.Password", (await invitee.GetAsync(secondLink)).Body);
    }

    [Fact]
    public async Task The_audit_log_filters_pages_and_exports_csv_and_the_dashboard_counts_what_needs_attention()
    {
        var organisationId = await CreateOrganisationAsync("Acme", "NL");
        await CreateApplicationAsync(organisationId, "DM", permissions: ["data-manager|Production"]);

        var filtered = await _pages.AuditAsync($"EventType={AuditEventTypes.ApplicationCreated}");
        Assert.Contains("Partner-NL-Acme-DM", filtered.Text);
        Assert.DoesNotContain(AuditEventTypes.OrganisationCreated, Testing.Admin.AdminPages.TableText(filtered));
        using var csv = await _pages.AuditCsvAsync($"OrganisationId={organisationId}");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("occurred_at_utc,event_type,actor,remote_address,organisation,application,details", lines[0]);
        Assert.Contains(lines, l => l.Contains(AuditEventTypes.OrganisationCreated, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(AuditEventTypes.ApplicationCreated, StringComparison.Ordinal));

        var dashboard = await _admin.GetAsync("/admin");
        var counts = Testing.Admin.AdminPages.DashboardTiles(dashboard);
        Assert.Contains(counts, c => c.StartsWith("1 active application with fewer than 2", StringComparison.Ordinal));
        Assert.Contains(counts, c => c.StartsWith("1 active application that cannot obtain tokens", StringComparison.Ordinal));
        Assert.Contains(counts, c => c.StartsWith("0 emails that failed", StringComparison.Ordinal));

        var list = await _admin.GetAsync("/admin/applications?FewManagers=true&CannotObtainTokens=true");
        Assert.Contains("Partner-NL-Acme-DM", list.Text);
        var none = await _admin.GetAsync("/admin/applications?ExpiringSoon=true");
        Assert.DoesNotContain("Partner-NL-Acme-DM", none.Text);
    }

    [Fact]
    public async Task Applications_of_a_deactivated_organisation_show_as_inactive_and_leave_the_tiles_about_applications_in_service()
    {
        var organisationId = await CreateOrganisationAsync("Closing", "NL");
        await CreateApplicationAsync(organisationId, "DM", permissions: ["data-manager|Production"]);
        var applicationId = await ApplicationIdAsync("Partner-NL-Closing-DM");
        var application = new TestApplication(applicationId, await ClientIdAsync(applicationId), "Partner-NL-Closing-DM");
        // A secret expiring in 20 days, as the one credential: expiring soon, and with fewer than 2 managers.
        await AddSecretAsync(_portal, application, expiresIn: TimeSpan.FromDays(20));
        async Task<(int FewManagers, int Expiring)> TilesAsync()
        {
            var dashboard = await _admin.GetAsync("/admin");
            return (Testing.Admin.AdminPages.DashboardCount(dashboard, "few-managers"), Testing.Admin.AdminPages.DashboardCount(dashboard, "expiring-soon"));
        }

        var before = await TilesAsync();
        Assert.Contains("Partner-NL-Closing-DM", (await _admin.GetAsync("/admin/applications?FewManagers=true&ExpiringSoon=true")).Text);

        await using (var db = _portal.CreateDbContext())
        {
            (await db.Organisations.SingleAsync(o => o.Id == organisationId)).IsActive = false;
            await db.SaveChangesAsync();
        }

        var after = await TilesAsync();
        Assert.Equal((before.FewManagers - 1, before.Expiring - 1), after);
        var list = await _admin.GetAsync("/admin/applications?Search=Partner-NL-Closing-DM");
        Assert.Contains("Inactive (organisation)", Testing.Admin.AdminPages.TableText(list), StringComparison.Ordinal);
        Assert.DoesNotContain(">Active<", list.Body, StringComparison.Ordinal);
        foreach (var filter in new[] { "FewManagers", "ExpiringSoon", "CannotObtainTokens" })
        {
            Assert.DoesNotContain("Partner-NL-Closing-DM", (await _admin.GetAsync($"/admin/applications?{filter}=true")).Text, StringComparison.Ordinal);
        }

        var edit = await _admin.GetAsync($"/admin/applications/{applicationId}");
        // Only the application's own API's permissions are offered (Data Manager's, not Search, Match & Connect's).
        Assert.Equal(["data-manager|Production", "data-manager|Sandbox"],
            edit.Document.QuerySelectorAll("input[name='Input.Permissions']").Select(i => i.GetAttribute("value")).ToList());
        Assert.Contains("Closing, is deactivated", edit.Document.QuerySelector("#organisation-inactive")!.TextContent, StringComparison.Ordinal);
    }

    public static TheoryData<string> AdminPages =>
    [
        "/admin", "/admin/organisations", "/admin/organisations/create", "/admin/applications", "/admin/applications/create",
        "/admin/users", "/admin/audit", "/admin/audit?handler=Csv", "/Admin/Users/Invite",
    ];

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Admin_pages_redirect_anonymous_users_and_forbid_credential_managers(string url)
    {
        var (organisationId, ids) = await _portal.CreateOrganisationAsync("Acme", "DM");
        var manager = await _admin.InviteAndOnboardAsync("manager@acme.example", organisationId, ids);
        using var anonymous = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        var anonymousGet = await anonymous.GetAsync(url);
        var managerGet = await manager.Client.GetAsync(url);
        var managerPost = await manager.Client.PostAsync(url, [new("__RequestVerificationToken", AntiforgeryToken(managerGet))]);

        Assert.Equal(HttpStatusCode.Redirect, anonymousGet.StatusCode);
        Assert.StartsWith("/Account/Login", anonymousGet.Headers.Location?.AbsolutePath ?? anonymousGet.Headers.Location?.OriginalString, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, managerGet.Status);
        Assert.Equal(HttpStatusCode.Forbidden, managerPost.Status);
        manager.Client.Dispose();
    }

    [Fact]
    public async Task Admin_post_handlers_forbid_credential_managers_and_change_nothing()
    {
        var (organisationId, ids) = await _portal.CreateOrganisationAsync("Acme", "DM");
        var manager = await _admin.InviteAndOnboardAsync("manager@acme.example", organisationId, ids);
        var token = AntiforgeryToken(await manager.Client.GetAsync(CredentialsPages.ListPath));
        var managerId = await UserIdAsync(manager.Email);
        string[] posts =
        [
            $"/admin/applications/{ids[0]}", $"/admin/applications/{ids[0]}?handler=AddManager", $"/admin/applications/{ids[0]}?handler=RemoveManager",
            $"/admin/organisations/{organisationId}", "/admin/users?handler=MakeAdministrator", "/admin/users?handler=Disable", "/admin/users?handler=ResetMfa",
        ];

        foreach (var url in posts)
        {
            var page = await manager.Client.PostAsync(url, [new("__RequestVerificationToken", token), new("UserId", managerId), new("ManagerUserId", managerId)]);
            Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        }

        await using var db = _portal.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == manager.Email);
        Assert.False(user.IsDisabled);
        Assert.True(user.TwoFactorEnabled);
        Assert.Equal(1, await db.UserRoles.CountAsync());
        manager.Client.Dispose();
    }

    private static string AntiforgeryToken(HtmlPage page) => Testing.Admin.AdminPages.AntiforgeryToken(page);

    private Task<HtmlPage> UserActionAsync(string handler, string userId) => _pages.UserActionAsync(handler, Guid.Parse(userId));

    private async Task<int> CreateOrganisationAsync(string name, string country)
    {
        Assert.Contains($"Organisation {name} added.", (await _pages.CreateOrganisationAsync(name, country)).Text);
        return await _portal.OrganisationIdAsync(name);
    }

    private Task<HtmlPage> SubmitOrganisationAsync(string url, string name, string country, bool active = true) =>
        _pages.SubmitOrganisationAsync(url, name, country, active);

    private Task<HtmlPage> CreateApplicationAsync(int organisationId, string api, string name = "", bool sandboxOnly = false,
        IReadOnlyList<string>? permissions = null, string? firstSecret = null) =>
        _pages.CreateApplicationAsync(organisationId, api, name, sandboxOnly, permissions, firstSecret, notificationEmails: "ops@acme.example");

    private Task<int> ApplicationIdAsync(string name) => _portal.ApplicationIdAsync(name);

    private Task<string> ClientIdAsync(int applicationId) => _portal.ClientIdAsync(applicationId);

    private async Task<string> UserIdAsync(string email) => (await _portal.UserIdAsync(email)).ToString();
}
