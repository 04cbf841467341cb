using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace CredentialPortal.Testing.Account;

/// <summary>
/// One browser session against the in-memory test server: its own cookie jar, redirects followed, HTML parsed with
/// AngleSharp. The base address is https://localhost so that the Secure, <c>__Host-</c> session cookies are kept and
/// sent back, as a browser would over HTTPS.
/// </summary>
public sealed class PortalClient : IDisposable
{
    public static readonly Uri DefaultBaseAddress = new("https://localhost/");

    private static readonly HtmlParser Parser = new();

    public PortalClient(PortalFactory portal, Uri? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(portal);
        Portal = portal;
        Http = portal.CreateDefaultClient(baseAddress ?? DefaultBaseAddress,
            new RedirectHandler(), new SetCookieRecorder(_setCookieHeaders), new CookieContainerHandler(Cookies));
    }

    private readonly List<string> _setCookieHeaders = [];

    /// <summary>Every Set-Cookie header the server sent this session, redirects included, to check cookie attributes.</summary>
    public IReadOnlyList<string> SetCookieHeaders
    {
        get
        {
            lock (_setCookieHeaders)
            {
                return [.. _setCookieHeaders];
            }
        }
    }

    public PortalFactory Portal { get; }
    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }

    public async Task<HtmlPage> GetAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html");
        return await HtmlPage.ReadAsync(await Http.SendAsync(request));
    }

    /// <summary>
    /// Submits a form of the page the way a browser does: every named input (hidden fields, the antiforgery token)
    /// with the given values filled in, to the form's action. <paramref name="formSelector"/> picks the form.
    /// </summary>
    public async Task<HtmlPage> SubmitAsync(HtmlPage page, IDictionary<string, string>? values = null, string formSelector = "main form[method=post]")
    {
        ArgumentNullException.ThrowIfNull(page);
        var form = page.Document.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}:\n{page.Text}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
        {
            if (input.Type is "checkbox" or "radio" && !input.IsChecked)
            {
                continue;
            }

            if (values is null || !values.ContainsKey(input.Name!))
            {
                fields.Add(new(input.Name!, input.Value));
            }
        }

        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields.Add(new(name, value));
        }

        var action = form.GetAttribute("action") is { Length: > 0 } explicitAction ? explicitAction : page.Url.PathAndQuery;
        return await PostAsync(action, fields);
    }

    /// <summary>A form post with exactly these fields (no antiforgery token unless given).</summary>
    public async Task<HtmlPage> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Accept.ParseAdd("text/html");
        return await HtmlPage.ReadAsync(await Http.SendAsync(request));
    }

    /// <summary>The value of a cookie this session holds, or <c>null</c>.</summary>
    public string? Cookie(string name) => Cookies.GetCookies(Http.BaseAddress!).FirstOrDefault(c => c.Name == name)?.Value;

    public void Dispose() => Http.Dispose();

    internal static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);
}

internal sealed class SetCookieRecorder(List<string> headers) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            lock (headers)
            {
                headers.AddRange(values);
            }
        }

        return response;
    }
}

/// <summary>A response with its HTML parsed; <see cref="Url"/> is where the redirects ended.</summary>
public sealed class HtmlPage
{
    private HtmlPage(HttpResponseMessage response, string body)
    {
        Response = response;
        Body = body;
        Document = PortalClient.Parse(body);
    }

    public HttpResponseMessage Response { get; }
    public string Body { get; }
    public IHtmlDocument Document { get; }
    public HttpStatusCode Status => Response.StatusCode;
    public Uri Url => Response.RequestMessage!.RequestUri!;
    public string Path => Url.AbsolutePath;

    /// <summary>The visible text of the main content.</summary>
    public string Text => (Document.QuerySelector("main") ?? Document.Body)?.TextContent ?? Body;

    public string? Heading => Document.QuerySelector("h1")?.TextContent.Trim();

    /// <summary>Messages of the page's validation summary and alerts.</summary>
    public string Errors => string.Join(" ", Document.QuerySelectorAll(".errors, [role=alert]").Select(e => e.TextContent.Trim()));

    /// <summary>The messages shown beside the form's fields.</summary>
    public IReadOnlyList<string> FieldErrors => Document.QuerySelectorAll(".field-error").Select(e => e.TextContent.Trim()).ToList();

    internal static async Task<HtmlPage> ReadAsync(HttpResponseMessage response) =>
        new(response, await response.Content.ReadAsStringAsync());

    public override string ToString() => $"{(int)Status} {Url}: {Heading}";
}
