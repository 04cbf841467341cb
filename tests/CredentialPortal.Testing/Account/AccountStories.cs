using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Testing.Account;

/// <summary>Someone who went through the whole onboarding, with their own browser session and authenticator.</summary>
public sealed record OnboardedUser(string Email, string Password, AuthenticatorApp Authenticator, IReadOnlyList<string> RecoveryCodes, PortalClient Client);

/// <summary>
/// "User story" helpers built on the page objects: sign in (enrolling on first use), invite and onboard a user.
/// Codes come from <see cref="AuthenticatorApp.NextCode"/>, which moves the fake clock to a fresh time step.
/// </summary>
public static partial class AccountStories
{
    public const string NewUserPassword = "plum tractor window seventeen";

    // Authenticator keys per portal and email, so that later sign-ins of the same person reuse their enrolment.
    private static readonly ConditionalWeakTable<PortalFactory, Dictionary<string, AuthenticatorApp>> Authenticators = [];

    public static AuthenticatorApp? AuthenticatorOf(this PortalFactory portal, string email)
    {
        lock (Authenticators)
        {
            return Authenticators.GetOrCreateValue(portal).GetValueOrDefault(email.ToUpperInvariant());
        }
    }

    /// <summary>Password step, then the code (or enrolment on the first sign-in). Returns the page signed in.</summary>
    public static async Task<HtmlPage> SignInAsync(this PortalClient client, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        var afterPassword = await client.SubmitPasswordAsync(email, password);
        if (afterPassword.Path.Equals(AccountPages.Enrol, StringComparison.OrdinalIgnoreCase))
        {
            return (await client.EnrolAsync(afterPassword, email)).Page;
        }

        if (!afterPassword.Path.Equals(AccountPages.LoginWithCode, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Password step for {email} failed: {afterPassword} {afterPassword.Errors}");
        }

        var app = client.Portal.AuthenticatorOf(email) ?? throw new InvalidOperationException($"No authenticator known for {email}.");
        var signedIn = await client.SubmitCodeAsync(afterPassword, app.NextCode());
        EnsureSignedIn(signedIn, email);
        return signedIn;
    }

    public static Task<HtmlPage> SignInAsAdministratorAsync(this PortalClient client) =>
        client.SignInAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);

    /// <summary>Reads the key from the enrolment page, enters a code, and returns the recovery-code page.</summary>
    public static async Task<(HtmlPage Page, AuthenticatorApp Authenticator, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(
        this PortalClient client, HtmlPage enrolPage, string email)
    {
        ArgumentNullException.ThrowIfNull(client);
        var app = new AuthenticatorApp(enrolPage.EnrolmentKey(), client.Portal.Time);
        var done = await client.SubmitCodeAsync(enrolPage, app.NextCode());
        var codes = done.RecoveryCodes();
        if (codes.Count == 0)
        {
            throw new InvalidOperationException($"Enrolment of {email} failed: {done} {done.Errors}");
        }

        lock (Authenticators)
        {
            Authenticators.GetOrCreateValue(client.Portal)[email.ToUpperInvariant()] = app;
        }

        return (done, app, codes);
    }

    /// <summary>
    /// An administrator (signed in on <paramref name="admin"/>) invites <paramref name="email"/>; the invitee opens the
    /// emailed link in a new session, chooses a password and enrols. Without an organisation the administrators' own
    /// organisation is used.
    /// </summary>
    public static async Task<OnboardedUser> InviteAndOnboardAsync(this PortalClient admin, string email,
        int? organisationId = null, IReadOnlyList<int>? applicationIds = null, string displayName = "Invited Person")
    {
        ArgumentNullException.ThrowIfNull(admin);
        var link = await admin.InviteAsync(email, organisationId, applicationIds, displayName);
        var client = new PortalClient(admin.Portal);
        var enrolPage = await client.AcceptInvitationAsync(link, NewUserPassword);
        var (_, app, codes) = await client.EnrolAsync(enrolPage, email);
        return new OnboardedUser(email, NewUserPassword, app, codes, client);
    }

    /// <summary>Sends the invitation through the admin page and returns the emailed link (path and query).</summary>
    public static async Task<string> InviteAsync(this PortalClient admin, string email,
        int? organisationId = null, IReadOnlyList<int>? applicationIds = null, string displayName = "Invited Person")
    {
        ArgumentNullException.ThrowIfNull(admin);
        var organisation = organisationId ?? await admin.Portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        var form = await admin.GetAsync($"/Admin/Users/Invite?organisationId={organisation}");
        var fields = new Dictionary<string, string> { ["Input.Email"] = email, ["Input.DisplayName"] = displayName };
        HtmlPage page;
        if (applicationIds is not { Count: > 0 })
        {
            page = await admin.SubmitAsync(form, fields, "main form[method=post]");
        }
        else
        {
            // Checkbox lists repeat a name; post them explicitly.
            var token = form.Document.QuerySelector("main form[method=post] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            var post = new List<KeyValuePair<string, string>>
            {
                new("__RequestVerificationToken", token),
                new("Input.OrganisationId", organisation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Input.Email", email),
                new("Input.DisplayName", displayName),
            };
            post.AddRange(applicationIds.Select(id => new KeyValuePair<string, string>("Input.ApplicationIds", id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            page = await admin.PostAsync(form.Url.PathAndQuery, post);
        }

        if (!page.Text.Contains($"Invitation sent to {email}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Inviting {email} failed: {page} {page.Errors}");
        }

        return await admin.Portal.LatestLinkToAsync(email, "AcceptInvitation");
    }

    /// <summary>Opens the invitation link and chooses the password; returns the enrolment page.</summary>
    public static async Task<HtmlPage> AcceptInvitationAsync(this PortalClient client, string link, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        var page = await client.GetAsync(link);
        var enrol = await client.SubmitAsync(page, new Dictionary<string, string> { ["Input.Password"] = password, ["Input.ConfirmPassword"] = password });
        if (!enrol.Path.Equals(AccountPages.Enrol, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Accepting the invitation failed: {enrol} {enrol.Errors}");
        }

        return enrol;
    }

    /// <summary>
    /// The path and query of the newest emailed link to <c>/Account/{page}</c> for this address, after a pass of the
    /// outbox sender has delivered what was queued.
    /// </summary>
    public static async Task<string> LatestLinkToAsync(this PortalFactory portal, string email, string page)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await portal.RunNextPassAsync<OutboxSender>();
        var mails = portal.Mail.To(email);
        var mail = mails.Count > 0 ? mails[^1] : throw new InvalidOperationException($"No email to {email}.");
        var match = AccountLink().Matches(mail.Body).FirstOrDefault(m => m.Groups["page"].Value == page)
            ?? throw new InvalidOperationException($"No /Account/{page} link in the email to {email}:\n{mail.Body}");
        return new Uri(match.Value).PathAndQuery;
    }

    public static async Task<int> OrganisationIdOfAsync(this PortalFactory portal, string email)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        return db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.OrganisationId).Single();
    }

    /// <summary>A member organisation with one application per API code, straight in the database.</summary>
    public static async Task<(int OrganisationId, IReadOnlyList<int> ApplicationIds)> CreateOrganisationAsync(
        this PortalFactory portal, string name, params string[] apiCodes)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var organisation = new Organisation { Name = name, CountryCode = "NL", CreatedAt = now };
        db.Organisations.Add(organisation);
        var applications = apiCodes.Select(code => new Application
        {
            ClientId = SecretGenerator.NewClientId(),
            Name = ApplicationName.Propose(organisation.CountryCode, name, code, sandboxOnly: false),
            Organisation = organisation,
            ApiCode = code,
            CreatedAt = now,
        }).ToList();
        db.Applications.AddRange(applications);
        await db.SaveChangesAsync();
        return (organisation.Id, applications.Select(a => a.Id).ToList());
    }

    private static void EnsureSignedIn(HtmlPage page, string email)
    {
        if (page.Path.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase) || page.Path == AccountPages.Enrol)
        {
            throw new InvalidOperationException($"Second step for {email} failed: {page} {page.Errors}");
        }
    }

    [GeneratedRegex(@"https?://[^\s""<>]+/Account/(?<page>AcceptInvitation|ResetPassword|EnrolFromLink)\?user=[0-9a-fA-F-]+&code=[A-Za-z0-9_-]+")]
    private static partial Regex AccountLink();
}
