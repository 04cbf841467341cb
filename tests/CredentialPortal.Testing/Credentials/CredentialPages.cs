using System.Globalization;
using CredentialPortal.Testing.Account;

namespace CredentialPortal.Testing.Credentials;

/// <summary>The page that showed a new secret, and the value it showed (the only time it is shown).</summary>
public sealed record NewSecretPage(HtmlPage Page, string Value);

/// <summary>
/// The Manage API Credentials pages of one application, as a credential manager (or an administrator) uses them:
/// tests say what they do (<c>CreateSecretAsync("name")</c>), the selectors and form fields live here.
/// </summary>
public sealed class CredentialsPages(PortalClient client, int applicationId)
{
    public const string ListPath = "/manage-api-credentials";

    public string NewSecretPath => $"{ListPath}/{applicationId.ToString(CultureInfo.InvariantCulture)}/secrets/new";
    public string HistoryPath => $"{ListPath}/{applicationId.ToString(CultureInfo.InvariantCulture)}/history";

    public string DisablePath(int secretId) => $"{ListPath}/{applicationId.ToString(CultureInfo.InvariantCulture)}/secrets/{secretId.ToString(CultureInfo.InvariantCulture)}/disable";

    public string DeletePath(int secretId) => $"{ListPath}/{applicationId.ToString(CultureInfo.InvariantCulture)}/secrets/{secretId.ToString(CultureInfo.InvariantCulture)}/delete";

    public Task<HtmlPage> ListAsync() => client.GetAsync(ListPath);

    public Task<HtmlPage> NewSecretFormAsync() => client.GetAsync(NewSecretPath);

    /// <summary>Fills in the new-secret form and submits it, whatever the outcome (a refusal shows the form again).</summary>
    public async Task<HtmlPage> SubmitNewSecretAsync(string name, DateOnly? expiresOn = null)
    {
        var values = new Dictionary<string, string> { ["Input.Name"] = name };
        if (expiresOn is { } date)
        {
            values["Input.ExpiresOn"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return await client.SubmitAsync(await NewSecretFormAsync(), values);
    }

    /// <summary>Creates a secret through the form; throws when the page shows no new secret.</summary>
    public async Task<NewSecretPage> CreateSecretAsync(string name, DateOnly? expiresOn = null)
    {
        var page = await SubmitNewSecretAsync(name, expiresOn);
        var value = page.Document.QuerySelector("#new-secret-value")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No secret shown: {page} {page.Errors}");
        return new NewSecretPage(page, value);
    }

    /// <summary>Opens the disable confirmation and confirms it; returns the list it leads back to.</summary>
    public async Task<HtmlPage> DisableSecretAsync(int secretId) => await client.SubmitAsync(await client.GetAsync(DisablePath(secretId)));

    /// <summary>Enables a disabled secret from the list's button.</summary>
    public async Task<HtmlPage> EnableSecretAsync(HtmlPage list, int secretId) =>
        await client.SubmitAsync(list, formSelector: $"form[action*='/secrets/{secretId.ToString(CultureInfo.InvariantCulture)}/disable?handler=Enable']");

    /// <summary>Opens the delete confirmation (whose warnings a test may read) and confirms it.</summary>
    public async Task<(HtmlPage Confirmation, HtmlPage After)> DeleteSecretAsync(int secretId)
    {
        var confirmation = await client.GetAsync(DeletePath(secretId));
        return (confirmation, await client.SubmitAsync(confirmation));
    }

    public Task<HtmlPage> HistoryAsync() => client.GetAsync(HistoryPath);
}
