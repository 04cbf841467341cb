using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class SessionTests
{
    private static readonly string[] ProtectedPages =
    [
        "/Account", "/Account/ChangePassword", "/Account/ResetAuthenticator", "/Account/RecoveryCodes", "/Admin/Users/Invite",
    ];

    [Fact]
    public async Task After_the_password_step_alone_no_page_is_reachable_and_enrolment_is_forced()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);

        var enrol = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal(AccountPages.Enrol, enrol.Path);
        foreach (var page in ProtectedPages)
        {
            Assert.Equal(AccountPages.Enrol, (await client.GetAsync(page)).Path);
        }

        // A state-changing post with a valid antiforgery token is refused just the same.
        var token = enrol.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var post = await client.PostAsync("/Account/RecoveryCodes", [new("__RequestVerificationToken", token)]);
        Assert.Equal(AccountPages.Enrol, post.Path);
        Assert.Empty(post.RecoveryCodes());
        Assert.Null(client.Cookie(IdentitySetup.SessionCookieName));
    }

    [Fact]
    public async Task After_the_password_step_alone_an_enrolled_user_reaches_only_the_code_page()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        await client.SignOutAsync();

        var codePage = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        foreach (var page in ProtectedPages.Append(AccountPages.Enrol))
        {
            Assert.Equal(AccountPages.LoginWithCode, (await client.GetAsync(page)).Path);
        }
    }

    [Fact]
    public async Task Posts_without_an_antiforgery_token_are_rejected()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);

        var login = await client.PostAsync(AccountPages.Login,
            [new("Input.Email", PortalFactory.AdminEmail), new("Input.Password", PortalFactory.AdminPassword)]);
        Assert.Equal(HttpStatusCode.BadRequest, login.Status);

        await client.SignInAsAdministratorAsync();
        var signOutEverywhere = await client.PostAsync("/Account?handler=SignOutEverywhere", []);
        var invite = await client.PostAsync("/Admin/Users/Invite", [new("Input.Email", "x@y.example"), new("Input.DisplayName", "X")]);
        Assert.Equal(HttpStatusCode.BadRequest, signOutEverywhere.Status);
        Assert.Equal(HttpStatusCode.BadRequest, invite.Status);
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);
    }

    [Fact]
    public async Task A_disabled_user_is_thrown_out_on_the_next_request()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("soon.disabled@operator.example");
        Assert.Equal("/Account", (await user.Client.GetAsync("/Account")).Path);

        await using (var db = portal.CreateDbContext())
        {
            await db.Users.Where(u => u.Email == user.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true));
        }

        Assert.Equal(AccountPages.Login, (await user.Client.GetAsync("/Account")).Path);
    }

    [Fact]
    public async Task Removing_the_administrator_role_takes_effect_on_the_next_request()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/Admin/Users/Invite")).Status);

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
            Assert.True((await users.RemoveFromRoleAsync(user, PortalRole.Administrator)).Succeeded);
        }

        var denied = await admin.GetAsync("/Admin/Users/Invite");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal("/Account/AccessDenied", denied.Path);
        Assert.Equal("/Account", (await admin.GetAsync("/Account")).Path);
    }

    [Fact]
    public async Task Resetting_a_users_authenticator_ends_their_sessions()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("reset.by.admin@operator.example");

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var account = (await users.FindByEmailAsync(user.Email))!;
            await users.SetTwoFactorEnabledAsync(account, false);
            await users.ResetAuthenticatorKeyAsync(account);
        }

        Assert.Equal(AccountPages.Login, (await user.Client.GetAsync("/Account")).Path);
        // Signing in again leads to a fresh enrolment.
        Assert.Equal(AccountPages.Enrol, (await user.Client.SubmitPasswordAsync(user.Email, user.Password)).Path);
    }

    [Fact]
    public async Task Sign_out_of_all_sessions_ends_the_other_sessions_too()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var first = new PortalClient(portal);
        using var second = new PortalClient(portal);
        await first.SignInAsAdministratorAsync();
        await second.SignInAsAdministratorAsync();

        var account = await first.GetAsync("/Account");
        var signedOut = await first.SubmitAsync(account, formSelector: "main form[method=post]");

        Assert.Equal(AccountPages.Login, signedOut.Path);
        Assert.Contains("signed out on every device", signedOut.Text, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await second.GetAsync("/Account")).Path);
        Assert.Equal(AccountPages.Login, (await first.GetAsync("/Account")).Path);
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.SignedOutEverywhere));
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        portal.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);
        portal.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);
        portal.Time.Advance(TimeSpan.FromMinutes(21));
        var ended = await client.GetAsync("/Account");
        Assert.Equal(AccountPages.Login, ended.Path);
        Assert.Contains("Your session ended after 20 minutes without activity", ended.Document.QuerySelector("#session-ended")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_request_renews_the_idle_timeout_and_stay_signed_in_is_one_such_request()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        var warning = (await client.GetAsync("/Account")).Document.QuerySelector("#session-warning")!;
        Assert.Equal(("1200", "120"), (warning.GetAttribute("data-idle-seconds"), warning.GetAttribute("data-warn-seconds")));

        // Renewed two minutes after the last request, not only past half of the timeout: 2 + 19 minutes stays signed in.
        portal.Time.Advance(TimeSpan.FromMinutes(2));
        using (var stay = await client.Http.GetAsync("/Account/Session"))
        {
            Assert.Equal(HttpStatusCode.NoContent, stay.StatusCode);
        }

        portal.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);

        // A visitor without a session sees no warning, and its "stay signed in" request is refused.
        using var visitor = new PortalClient(portal);
        Assert.Null((await visitor.GetAsync(AccountPages.Login)).Document.QuerySelector("#session-warning"));
        var refused = await visitor.GetAsync("/Account/Session");
        Assert.Equal(AccountPages.Login, refused.Path);
        Assert.Null(refused.Document.QuerySelector("#session-ended"));
    }

    [Fact]
    public async Task An_active_session_ends_after_the_absolute_lifetime()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(7.75); elapsed += TimeSpan.FromMinutes(15))
        {
            portal.Time.Advance(TimeSpan.FromMinutes(15));
            Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);
        }

        portal.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(AccountPages.Login, (await client.GetAsync("/Account")).Path);
    }

    [Fact]
    public async Task The_session_cookie_is_host_prefixed_secure_http_only_and_same_site_lax()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        var session = client.SetCookieHeaders.Last(h => h.StartsWith(IdentitySetup.SessionCookieName + "=", StringComparison.Ordinal));
        var attributes = session.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        Assert.DoesNotContain(attributes, a => a.StartsWith("expires=", StringComparison.Ordinal) || a.StartsWith("max-age=", StringComparison.Ordinal));
        var pending = client.SetCookieHeaders.First(h => h.StartsWith(IdentitySetup.PendingCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", pending, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);

        Assert.Contains("Something went wrong", (await client.GetAsync("/error")).Text, StringComparison.Ordinal);
        foreach (var url in new[] { "/", AccountPages.Login, "/healthz", "/css/site.css", "/no-such-page", "/error" })
        {
            var response = (await client.GetAsync(url)).Response;
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Single(response.Headers.GetValues("Referrer-Policy"));
        }

        // HSTS outside Development (the tests run as "Testing"), for real host names over HTTPS.
        using var production = new PortalClient(portal, new Uri("https://credentials.example.org/"));
        var hsts = (await production.GetAsync("/healthz")).Response.Headers;
        Assert.Contains("max-age=", string.Join(";", hsts.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_send_no_inline_script_or_style()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        var enrol = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);

        foreach (var page in new[] { enrol, await client.GetAsync("/") })
        {
            Assert.Empty(page.Document.QuerySelectorAll("script:not([src])"));
            Assert.Empty(page.Document.QuerySelectorAll("style, [style]").Select(e => e.OuterHtml));
            Assert.DoesNotContain(page.Document.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Programs_without_a_session_get_401_not_the_sign_in_page()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account");
        request.Headers.Accept.ParseAdd("application/json");

        var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
