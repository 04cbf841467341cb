using System.Globalization;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
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

    /// <summary>The event types a register or edit form has ticked.</summary>
    public static IReadOnlyList<string?> CheckedEventTypes(HtmlPage form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.Document.QuerySelectorAll<IHtmlInputElement>("input[name='Input.EventTypes']").Where(i => i.IsChecked).Select(i => i.Value).ToList();
    }

    /// <summary>Ticks exactly <paramref name="eventTypes"/> on a register or edit form, as a user would before submitting it.</summary>
    public static void TickEventTypes(HtmlPage form, IReadOnlyCollection<string> eventTypes)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(eventTypes);
        foreach (var box in form.Document.QuerySelectorAll<IHtmlInputElement>("input[name='Input.EventTypes']"))
        {
            box.IsChecked = eventTypes.Contains(box.Value);
        }
    }

    /// <summary>Fills in the register form and submits it, whatever the outcome (a refusal shows the form again).</summary>
    public async Task<HtmlPage> SubmitRegistrationAsync(string target, string url, string? description = null, bool allowPrivateNetwork = false,
        IReadOnlyCollection<string>? eventTypes = null)
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

        var form = await RegisterFormAsync();
        if (eventTypes is not null)
        {
            TickEventTypes(form, eventTypes);
        }

        return await client.SubmitAsync(form, values);
    }

    /// <summary>Registers an endpoint through the form; throws when the page shows no signing secret.</summary>
    public async Task<RegisteredEndpoint> RegisterAsync(string target, string url, string? description = null, bool allowPrivateNetwork = false,
        IReadOnlyCollection<string>? eventTypes = null)
    {
        var page = await SubmitRegistrationAsync(target, url, description, allowPrivateNetwork, eventTypes);
        var secret = CredentialsPages.NewSecretValue(page) ?? throw new InvalidOperationException($"No signing secret shown: {page} {page.Errors}");
        var endpoint = page.Document.QuerySelector("a.button[href^='/webhooks/']")?.GetAttribute("href")
            ?? throw new InvalidOperationException($"No link to the endpoint on {page}");
        return new RegisteredEndpoint(page, secret, endpoint);
    }

    public Task<HtmlPage> EndpointAsync(string endpointPath) => client.GetAsync(endpointPath);

    public Task<HtmlPage> EditFormAsync(string endpointPath) => client.GetAsync(endpointPath + "/edit");

    /// <summary>
    /// Changes what the edit form shows (the address, the description) and ticks <paramref name="eventTypes"/> when
    /// given, then submits it, whatever the outcome (a refusal shows the form again).
    /// </summary>
    public async Task<HtmlPage> EditAsync(string endpointPath, string? url = null, string? description = null,
        IReadOnlyCollection<string>? eventTypes = null)
    {
        var form = await EditFormAsync(endpointPath);
        var values = new Dictionary<string, string>();
        if (url is not null)
        {
            values["Input.Url"] = url;
        }

        if (description is not null)
        {
            values["Input.Description"] = description;
        }

        if (eventTypes is not null)
        {
            TickEventTypes(form, eventTypes);
        }

        return await client.SubmitAsync(form, values);
    }

    public Task<HtmlPage> RotateFormAsync(string endpointPath) => client.GetAsync(endpointPath + "/rotate");

    /// <summary>Rotates the signing secret through the rotate page; the page that shows the new secret, and the secret.</summary>
    public async Task<(HtmlPage Page, string Secret)> RotateAsync(string endpointPath)
    {
        var page = await client.SubmitAsync(await RotateFormAsync(endpointPath));
        return (page, CredentialsPages.NewSecretValue(page) ?? throw new InvalidOperationException($"No signing secret shown: {page} {page.Errors}"));
    }

    /// <summary>The webhook-ids the delivery log offers to send again.</summary>
    public static IReadOnlyList<string?> Redeliverable(HtmlPage endpointPage)
    {
        ArgumentNullException.ThrowIfNull(endpointPage);
        return endpointPage.Document.QuerySelectorAll("form[action$='handler=Redeliver'] input[name=messageId]").Select(i => i.GetAttribute("value")).ToList();
    }

    /// <summary>Presses "Send again" on the delivery log's row of <paramref name="messageId"/>.</summary>
    public Task<HtmlPage> RedeliverAsync(HtmlPage endpointPage, string messageId) =>
        client.SubmitAsync(endpointPage, new Dictionary<string, string> { ["messageId"] = messageId }, "form[action$='handler=Redeliver']");

    /// <summary>The forms and links that change an endpoint, as the page offers them (none to a read-only viewer).</summary>
    public static IReadOnlyList<string> ManagementActions(HtmlPage endpointPage)
    {
        ArgumentNullException.ThrowIfNull(endpointPage);
        return endpointPage.Document.QuerySelectorAll("main form[method=post], main a[href$='/edit'], main a[href$='/rotate']")
            .Select(e => e.GetAttribute("action") ?? e.GetAttribute("href") ?? "").ToList();
    }

    /// <summary>A handler posted with a valid antiforgery token of this session, whether or not the page offers it.</summary>
    public async Task<HtmlPage> PostHandlerAsync(string endpointPath, string handler)
    {
        var token = AdminPages.AntiforgeryToken(await RegisterFormAsync());
        return await client.PostAsync($"{endpointPath}?handler={handler}", [new("__RequestVerificationToken", token)]);
    }

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
