using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace CredentialPortal.Testing.Account;

/// <summary>
/// The passkey forms driven the way passkeys.js drives them: the form's fields go to its <c>data-passkey-options</c>
/// handler, the JSON answer to an authenticator, and the form is submitted with the answer as <c>Credential</c>.
/// </summary>
public static class PasskeyPages
{
    public const string Passkeys = "/Account/Passkeys";
    public const string LoginWithPasskey = "/Account/LoginWithPasskey";
    public const string ConfirmPasskey = "/Account/ConfirmPasskey";
    public const string AddForm = "#add-passkey";
    public const string SignInForm = "form.passkey-sign-in";

    /// <summary>Step one of a form: posts its fields (with <paramref name="values"/>) to its options handler.</summary>
    public static async Task<(HttpStatusCode Status, string Json)> PasskeyOptionsAsync(this PortalClient client, HtmlPage page, string formSelector,
        IDictionary<string, string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(page);
        var form = page.Document.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}:\n{page.Text}");
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[name]")
            .Where(i => values is null || !values.ContainsKey(i.Name!))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(values ?? new Dictionary<string, string>())
            .ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, form.GetAttribute("data-passkey-options")) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Registers <paramref name="passkey"/> from the account's passkeys page (<paramref name="page"/> when the test is
    /// on it already); returns the page after it.
    /// </summary>
    public static async Task<HtmlPage> RegisterPasskeyAsync(this PortalClient client, SoftwarePasskey passkey, string name, string password,
        string origin = "http://localhost", string? rpId = null, HtmlPage? page = null)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        page ??= await client.GetAsync(Passkeys);
        var fields = new Dictionary<string, string> { ["Name"] = name, ["Password"] = password };
        var (status, json) = await client.PasskeyOptionsAsync(page, AddForm, fields);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Passkey creation options refused ({status}): {json}");
        }

        fields["Credential"] = passkey.Create(json, origin, rpId);
        fields["Password"] = "";
        return await client.SubmitAsync(page, fields, AddForm);
    }

    /// <summary>Answers the passkey sign-in form on <paramref name="page"/> (login, second step or confirmation) with <paramref name="passkey"/>.</summary>
    public static async Task<HtmlPage> AnswerWithPasskeyAsync(this PortalClient client, HtmlPage page, SoftwarePasskey passkey,
        string formSelector = SignInForm, string origin = "http://localhost", string? rpId = null)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        var (status, json) = await client.PasskeyOptionsAsync(page, formSelector);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Passkey request options refused ({status}): {json}");
        }

        return await client.SubmitAsync(page, new Dictionary<string, string> { ["Credential"] = passkey.Get(json, origin, rpId) }, formSelector);
    }

    /// <summary>Passwordless sign-in from the sign-in page.</summary>
    public static async Task<HtmlPage> SignInWithPasskeyAsync(this PortalClient client, SoftwarePasskey passkey) =>
        await client.AnswerWithPasskeyAsync(await client.GetAsync(AccountPages.Login), passkey, "#passkey-sign-in");
}
