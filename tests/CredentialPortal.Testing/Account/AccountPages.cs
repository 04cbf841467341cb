namespace CredentialPortal.Testing.Account;

/// <summary>Page objects for the sign-in pages: what a person sees and types, nothing about how the server works.</summary>
public static class AccountPages
{
    public const string Login = "/Account/Login";
    public const string LoginWithCode = "/Account/LoginWithCode";
    public const string LoginWithRecoveryCode = "/Account/LoginWithRecoveryCode";
    public const string Enrol = "/Account/Enrol";
    public const string AccountHome = "/Account";

    public static Task<HtmlPage> SubmitLoginAsync(this PortalClient client, HtmlPage loginPage, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.SubmitAsync(loginPage, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
    }

    public static async Task<HtmlPage> SubmitPasswordAsync(this PortalClient client, string email, string password) =>
        await client.SubmitLoginAsync(await client.GetAsync(Login), email, password);

    /// <summary>The authenticator key as shown on the enrolment page (grouped, lower case), in base32.</summary>
    public static string EnrolmentKey(this HtmlPage enrolPage)
    {
        ArgumentNullException.ThrowIfNull(enrolPage);
        var shown = enrolPage.Document.QuerySelector("#authenticator-key")?.TextContent
            ?? throw new InvalidOperationException($"Not the enrolment page: {enrolPage}");
        return shown.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    /// <summary>The recovery codes shown once after enrolment or regeneration.</summary>
    public static IReadOnlyList<string> RecoveryCodes(this HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Document.QuerySelector("#recovery-codes")?.TextContent
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    }

    public static Task<HtmlPage> SubmitCodeAsync(this PortalClient client, HtmlPage codePage, string code)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = code });
    }

    public static async Task<HtmlPage> SignOutAsync(this PortalClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var page = await client.GetAsync("/");
        return await client.SubmitAsync(page, formSelector: "form[action='/Account/Logout']");
    }
}
