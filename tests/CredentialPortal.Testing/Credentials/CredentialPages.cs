using System.Globalization;
using AngleSharp.Dom;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Web.Pages.Credentials;

namespace CredentialPortal.Testing.Credentials;

/// <summary>The page that showed a new secret, and the value it showed (the only time it is shown).</summary>
public sealed record NewSecretPage(HtmlPage Page, string Value);

/// <summary>
/// The Manage API Credentials pages of one application, as a credential manager (or an administrator) uses them:
/// tests say what they do (<c>CreateSecretAsync("name")</c>), the selectors and form fields live here. Every kind shares
/// the disable and delete pages, under the route's kind segment (<c>secrets</c>, <c>keys</c>, <c>federated-identities</c>).
/// </summary>
public sealed class CredentialsPages(PortalClient client, int applicationId)
{
    public const string ListPath = "/manage-api-credentials";

    private string ApplicationPath => $"{ListPath}/{applicationId.ToString(CultureInfo.InvariantCulture)}";

    public string NewSecretPath => $"{ApplicationPath}/secrets/new";
    public string NewKeyPath => $"{ApplicationPath}/keys/new";
    public string HistoryPath => $"{ApplicationPath}/history";

    public string DisablePath(int credentialId, CredentialKind kind = CredentialKind.Secret) => CredentialPath(kind, credentialId) + "/disable";

    /// <summary>Where the list's Enable button posts.</summary>
    public string EnablePath(int credentialId, CredentialKind kind = CredentialKind.Secret) => DisablePath(credentialId, kind) + "?handler=Enable";

    public string DeletePath(int credentialId, CredentialKind kind = CredentialKind.Secret) => CredentialPath(kind, credentialId) + "/delete";

    /// <summary>The list; an administrator may filter it by a search text (name or client id) and an organisation.</summary>
    public Task<HtmlPage> ListAsync(string? search = null, int? organisationId = null)
    {
        var query = new List<string>();
        if (search is not null)
        {
            query.Add("Search=" + Uri.EscapeDataString(search));
        }

        if (organisationId is { } id)
        {
            query.Add("OrganisationId=" + id.ToString(CultureInfo.InvariantCulture));
        }

        return client.GetAsync(query.Count == 0 ? ListPath : ListPath + "?" + string.Join('&', query));
    }

    public Task<HtmlPage> NewSecretFormAsync() => client.GetAsync(NewSecretPath);

    /// <summary>The new-secret form's expiry date field (its proposed value and its bounds).</summary>
    public static IElement ExpiryField(HtmlPage form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.Document.QuerySelector("input[name='Input.ExpiresOn']") ?? throw new InvalidOperationException($"No expiry field on {form}");
    }

    /// <summary>Fills in the new-secret form and submits it, whatever the outcome (a refusal shows the form again).</summary>
    public Task<HtmlPage> SubmitNewSecretAsync(string name, DateOnly? expiresOn = null) => SubmitNewSecretAsync(name, expiresOn is { } date ? Date(date) : null);

    /// <summary>As typed into the date field, which may be no date at all.</summary>
    public async Task<HtmlPage> SubmitNewSecretAsync(string name, string? expiresOn)
    {
        var values = new Dictionary<string, string> { ["Input.Name"] = name };
        if (expiresOn is not null)
        {
            values["Input.ExpiresOn"] = expiresOn;
        }

        return await client.SubmitAsync(await NewSecretFormAsync(), values);
    }

    /// <summary>Creates a secret through the form; throws when the page shows no new secret.</summary>
    public async Task<NewSecretPage> CreateSecretAsync(string name, DateOnly? expiresOn = null)
    {
        var page = await SubmitNewSecretAsync(name, expiresOn);
        return new NewSecretPage(page, NewSecretValue(page) ?? throw new InvalidOperationException($"No secret shown: {page} {page.Errors}"));
    }

    /// <summary>The secret a page shows once (new secret, new application, new webhook endpoint), or <c>null</c>.</summary>
    public static string? NewSecretValue(HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Document.QuerySelector("#new-secret-value")?.GetAttribute("value");
    }

    /// <summary>Pastes a public key (PEM, JWK or certificate) into the add-key form and submits it, whatever the outcome.</summary>
    public async Task<HtmlPage> AddKeyAsync(string name, string key, DateOnly? expiresOn = null)
    {
        var values = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.Key"] = key };
        if (expiresOn is { } date)
        {
            values["Input.ExpiresOn"] = Date(date);
        }

        return await client.SubmitAsync(await client.GetAsync(NewKeyPath), values);
    }

    /// <summary>Uploads a key file (PEM or DER) through the add-key form, as a browser posts a file (multipart).</summary>
    public async Task<HtmlPage> UploadKeyAsync(string name, byte[] file, string fileName)
    {
        var form = await client.GetAsync(NewKeyPath);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(name), "Input.Name" },
            { new StringContent(AdminPages.AntiforgeryToken(form)), "__RequestVerificationToken" },
            { new ByteArrayContent(file), "Input.File", fileName },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, NewKeyPath) { Content = content };
        request.Headers.Accept.ParseAdd("text/html");
        return await HtmlPage.ReadAsync(await client.Http.SendAsync(request));
    }

    /// <summary>The disable confirmation of a secret or key, whose warnings a test may read before confirming it.</summary>
    public Task<HtmlPage> DisablePageAsync(int credentialId, CredentialKind kind = CredentialKind.Secret) => client.GetAsync(DisablePath(credentialId, kind));

    /// <summary>The page on which a manager reports a secret as found in public.</summary>
    public Task<HtmlPage> ReportLeakPageAsync(int secretId) => client.GetAsync(CredentialPath(CredentialKind.Secret, secretId) + "/leaked");

    /// <summary>Reports the secret of a report page as found at <paramref name="location"/>, whatever the outcome.</summary>
    public Task<HtmlPage> ReportLeakAsync(HtmlPage reportPage, string location) =>
        client.SubmitAsync(reportPage, new Dictionary<string, string> { ["Location"] = location });

    /// <summary>The delete confirmation of a secret or key.</summary>
    public Task<HtmlPage> DeletePageAsync(int credentialId, CredentialKind kind = CredentialKind.Secret) => client.GetAsync(DeletePath(credentialId, kind));

    /// <summary>
    /// Confirms a disable or delete page; <paramref name="lastCredential"/> ticks the box that the only active credential
    /// of an application needs (without it the page refuses and shows itself again).
    /// </summary>
    public Task<HtmlPage> ConfirmAsync(HtmlPage confirmation, bool lastCredential = false) =>
        client.SubmitAsync(confirmation, lastCredential ? new Dictionary<string, string> { [CredentialActionModel.ConfirmField] = "true" } : null);

    /// <summary>Enables a disabled secret or key from the list's button.</summary>
    public Task<HtmlPage> EnableAsync(HtmlPage list, int credentialId, CredentialKind kind = CredentialKind.Secret) =>
        client.SubmitAsync(list, formSelector: EnableForm(credentialId, kind));

    public Task<HtmlPage> HistoryAsync() => client.GetAsync(HistoryPath);

    /// <summary>A post with this session's antiforgery token and new-secret fields, to an address a test names (to see it refused).</summary>
    public async Task<HtmlPage> PostWithTokenAsync(string url)
    {
        var token = AdminPages.AntiforgeryToken(await NewSecretFormAsync());
        return await client.PostAsync(url, [new("__RequestVerificationToken", token), new("Input.Name", "x"), new("Input.ExpiresOn", "2027-01-01")]);
    }

    /// <summary>The new-secret form's fields posted without the antiforgery token.</summary>
    public Task<HtmlPage> PostNewSecretWithoutTokenAsync() =>
        client.PostAsync(NewSecretPath, [new("Input.Name", "x"), new("Input.ExpiresOn", "2027-01-01")]);

    /// <summary>This application's "Create new secret" button on the list (with how many it holds of how many), or <c>null</c>.</summary>
    public IElement? CreateSecretButton(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector($"a[href='{NewSecretPath}']");
    }

    /// <summary>This application's "Add a public key" button on the list (with how many it holds of how many), or <c>null</c>.</summary>
    public IElement? AddKeyButton(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector($"a[href='{NewKeyPath}']");
    }

    /// <summary>This application's section of the list, or <c>null</c> when the list does not show it.</summary>
    public IElement? Section(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector($"section.application[aria-labelledby='app-{applicationId.ToString(CultureInfo.InvariantCulture)}']");
    }

    /// <summary>Whether the list offers to disable (an active credential) or to enable (a disabled one) this one.</summary>
    public bool OffersDisable(HtmlPage list, int credentialId, CredentialKind kind = CredentialKind.Secret)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector($"a[href='{DisablePath(credentialId, kind)}']") is not null;
    }

    public bool OffersEnable(HtmlPage list, int credentialId, CredentialKind kind = CredentialKind.Secret)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector(EnableForm(credentialId, kind)) is not null;
    }

    /// <summary>The headings of the applications a list shows, in order.</summary>
    public static IReadOnlyList<string> ApplicationNames(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelectorAll("section.application h2").Select(h => h.TextContent).ToList();
    }

    /// <summary>The rows of the secrets or keys tables of a list (every application shown).</summary>
    public static IReadOnlyList<IElement> Rows(HtmlPage list, CredentialKind kind)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelectorAll($"table.{Segment(kind)} tbody tr").ToList();
    }

    private string CredentialPath(CredentialKind kind, int credentialId) =>
        $"{ApplicationPath}/{Segment(kind)}/{credentialId.ToString(CultureInfo.InvariantCulture)}";

    private string EnableForm(int credentialId, CredentialKind kind) => $"form[action$='{EnablePath(credentialId, kind)}']";

    private static string Segment(CredentialKind kind) => CredentialActionModel.SegmentOf(kind);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
