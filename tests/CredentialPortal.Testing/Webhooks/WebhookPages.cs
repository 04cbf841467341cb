using System.Globalization;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Credentials;

namespace CredentialPortal.Testing.Webhooks;

/// <summary>A registration that succeeded: the page that showed the signing secret (once), the secret, and the endpoint's page.</summary>
public sealed record RegisteredEndpoint(HtmlPage Page, string Secret, string EndpointPath);

/// <summary>The webhook pages as a credential manager or an administrator uses them; the forms and handlers live here.</summary>
public sealed class WebhookPages(PortalClient client)
{
    public const string ListPath = "/webhooks";
    public const string RegisterPath = "/webhooks/register";

    /// <summary>The form's value for "hears about this application" and "hears about every application of the organisation".</summary>
    public static string ApplicationTarget(int applicationId) => "app:" + applicationId.ToString(CultureInfo.InvariantCulture);

    public static string OrganisationTarget(int organisationId) => "org:" + organisationId.ToString(CultureInfo.InvariantCulture);

    public Task<HtmlPage> ListAsync() => client.GetAsync(ListPath);

    public Task<HtmlPage> RegisterFormAsync() => client.GetAsync(RegisterPath);

    /// <summary>The targets the register form offers (the empty "Choose…" first).</summary>
    public static IReadOnlyList<string?> Targets(HtmlPage form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.Document.QuerySelectorAll("select[name='Input.Target'] option").Select(o => o.GetAttribute("value")).ToList();
    }

    /// <summary>Whether the register form offers to allow private network addresses (administrators only).</summary>
    public static bool OffersPrivateNetwork(HtmlPage form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.Document.QuerySelector("input[name='Input.AllowPrivateNetwork']") is not null;
    }

    /// <summary>Fills in the register form and submits it, whatever the outcome (a refusal shows the form again).</summary>
    public async Task<HtmlPage> SubmitRegistrationAsync(string target, string url, string? description = null, bool allowPrivateNetwork = false)
    {
        var values = new Dictionary<string, string> { ["Input.Target"] = target, ["Input.Url"] = url };
        if (description is not null)
        {
            values["Input.Description"] = description;
        }

        if (allowPrivateNetwork)
        {
            values["Input.AllowPrivateNetwork"] = "true";
        }

        return await client.SubmitAsync(await RegisterFormAsync(), values);
    }

    /// <summary>Registers an endpoint through the form; throws when the page shows no signing secret.</summary>
    public async Task<RegisteredEndpoint> RegisterAsync(string target, string url, string? description = null, bool allowPrivateNetwork = false)
    {
        var page = await SubmitRegistrationAsync(target, url, description, allowPrivateNetwork);
        var secret = CredentialsPages.NewSecretValue(page) ?? throw new InvalidOperationException($"No signing secret shown: {page} {page.Errors}");
        var endpoint = page.Document.QuerySelector("a.button[href^='/webhooks/']")?.GetAttribute("href")
            ?? throw new InvalidOperationException($"No link to the endpoint on {page}");
        return new RegisteredEndpoint(page, secret, endpoint);
    }

    public Task<HtmlPage> EndpointAsync(string endpointPath) => client.GetAsync(endpointPath);

    /// <summary>The endpoint page's buttons.</summary>
    public Task<HtmlPage> SendTestEventAsync(HtmlPage endpointPage) => Handler(endpointPage, "Test");

    public Task<HtmlPage> DisableAsync(HtmlPage endpointPage) => Handler(endpointPage, "Disable");

    public Task<HtmlPage> DeleteAsync(HtmlPage endpointPage) => Handler(endpointPage, "Delete");

    /// <summary>
    /// A delete posted with a valid antiforgery token of this session to an endpoint a test names, as if the form of an
    /// endpoint page had been pointed elsewhere (to see it refused).
    /// </summary>
    public async Task<HtmlPage> PostDeleteAsync(string endpointPath)
    {
        var token = AdminPages.AntiforgeryToken(await RegisterFormAsync());
        return await client.PostAsync(endpointPath + "?handler=Delete", [new("__RequestVerificationToken", token)]);
    }

    private Task<HtmlPage> Handler(HtmlPage endpointPage, string handler) =>
        client.SubmitAsync(endpointPage, formSelector: $"form[action$='handler={handler}']");
}
