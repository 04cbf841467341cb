using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class OnboardingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Invite_accept_enrol_recovery_codes_sign_out_and_sign_in_with_a_code(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var (organisationId, applicationIds) = await portal.CreateOrganisationAsync("Acme", "DM", "SMC");

        var link = await admin.InviteAsync("new.manager@acme.example", organisationId, [applicationIds[0]], "New Manager");

        var mail = Assert.Single(portal.Mail.To("new.manager@acme.example"));
        Assert.Contains("Acme", mail.Body, StringComparison.Ordinal);
        Assert.Contains("72 hours", mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("password:", mail.Body, StringComparison.OrdinalIgnoreCase);

        using var invitee = new PortalClient(portal);
        var choosePassword = await invitee.GetAsync(link);
        Assert.Contains("new.manager@acme.example", choosePassword.Text, StringComparison.Ordinal);
        var enrol = await invitee.AcceptInvitationAsync(link, AccountStories.NewUserPassword);
        Assert.NotNull(enrol.Document.QuerySelector(".qr svg"));
        var (codesPage, app, recoveryCodes) = await invitee.EnrolAsync(enrol, "new.manager@acme.example");
        Assert.Equal(10, recoveryCodes.Count);
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        Assert.True(codesPage.Response.Headers.CacheControl?.NoStore);

        var home = await invitee.GetAsync("/Account");
        Assert.Equal("/Account", home.Path);
        Assert.Contains("Credential manager of Partner-NL-Acme-DM", home.Text, StringComparison.Ordinal);

        await invitee.SignOutAsync();
        Assert.Equal(AccountPages.Login, (await invitee.GetAsync("/Account")).Path);

        var codePage = await invitee.SubmitPasswordAsync("new.manager@acme.example", AccountStories.NewUserPassword);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        var signedIn = await invitee.SubmitCodeAsync(codePage, app.NextCode());
        Assert.Equal("/manage-api-credentials", signedIn.Path);
        Assert.Contains("new.manager@acme.example", signedIn.Document.QuerySelector("header")!.TextContent, StringComparison.Ordinal);

        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.Actor == "new.manager@acme.example").Select(e => e.EventType).ToListAsync();
        Assert.Contains(AuditEventTypes.InvitationAccepted, events);
        Assert.Contains(AuditEventTypes.MfaEnrolled, events);
        Assert.Equal(2, events.Count(e => e == AuditEventTypes.LoginSucceeded));
        var adminEvents = await db.AuditEvents.Where(e => e.Actor == PortalFactory.AdminEmail).Select(e => e.EventType).ToListAsync();
        Assert.Contains(AuditEventTypes.InvitationSent, adminEvents);
        Assert.Contains(AuditEventTypes.RoleGranted, adminEvents);
    }
}
