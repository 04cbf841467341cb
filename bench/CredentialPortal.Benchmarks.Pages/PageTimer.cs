using System.Diagnostics;
using System.Globalization;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using OtpNet;

/// <summary>
/// One browser session against a running portal: signs in with password and authenticator (enrolling on the first
/// sign-in, as a new user does), then times GET requests of a page.
/// </summary>
internal sealed class PageTimer : IDisposable
{
    private static readonly HtmlParser Parser = new();
    private readonly HttpClient _http;

    public PageTimer(Uri baseAddress)
    {
        _http = new HttpClient(new CookieJar { InnerHandler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false } }) { BaseAddress = baseAddress };
        _http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
    }

    public async Task SignInAsync(string email, string password)
    {
        var login = await GetDocumentAsync("/Account/Login");
        var next = await SubmitAsync(login, new() { ["Input.Email"] = email, ["Input.Password"] = password });
        var key = next.Document.QuerySelector("#authenticator-key")?.TextContent.Replace(" ", "", StringComparison.Ordinal)
            ?? throw new InvalidOperationException($"{email}: expected the enrolment page after the password, got {next.Status} {next.Url}: " +
                string.Join(" ", next.Document.QuerySelectorAll(".errors, [role=alert]").Select(e => e.TextContent.Trim())));
        var totp = new Totp(Base32Encoding.ToBytes(key.ToUpperInvariant()));
        var done = await SubmitAsync(next, new() { ["Code"] = totp.ComputeTotp() });
        if (done.Document.QuerySelector("#recovery-codes") is null)
        {
            throw new InvalidOperationException($"{email}: enrolment failed at {done.Url}");
        }
    }

    /// <summary>Milliseconds per request, <paramref name="count"/> sequential requests after <paramref name="warmUp"/> untimed ones.</summary>
    public async Task<double[]> TimeAsync(string path, int count, int warmUp)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await GetAsync(path);
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await GetAsync(path);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return times;
    }

    public static double Percentile(double[] values, double percentile)
    {
        var sorted = values.Order().ToArray();
        // Nearest rank: the smallest value with at least this share of the values at or below it.
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private async Task GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || response.RequestMessage!.RequestUri!.AbsolutePath.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} at {response.RequestMessage!.RequestUri}");
        }

        _ = body;
    }

    private sealed record Page(Uri Url, IHtmlDocument Document, int Status);

    private async Task<Page> GetDocumentAsync(string path) => await ReadAsync(await _http.GetAsync(path));

    private async Task<Page> SubmitAsync(Page page, Dictionary<string, string> values)
    {
        var form = page.Document.QuerySelector<IHtmlFormElement>("main form[method=post]")
            ?? throw new InvalidOperationException($"No form on {page.Url}");
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[name]")
            .Where(input => !values.ContainsKey(input.Name!))
            .Select(input => new KeyValuePair<string, string>(input.Name!, input.Value))
            .Concat(values)
            .ToList();
        var action = form.GetAttribute("action") is { Length: > 0 } explicitAction ? explicitAction : page.Url.PathAndQuery;
        using var content = new FormUrlEncodedContent(fields);
        return await ReadAsync(await _http.PostAsync(action, content));
    }

    private static async Task<Page> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return new Page(response.RequestMessage!.RequestUri!, Parser.ParseDocument(await response.Content.ReadAsStringAsync()), (int)response.StatusCode);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Keeps cookies by name and follows redirects itself. The session cookies are Secure (<c>__Host-</c>), which
    /// HttpClient's own cookie container would not send over the plain-http loopback address a benchmark uses.
    /// </summary>
    private sealed class CookieJar : DelegatingHandler
    {
        private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var hops = 0; ; hops++)
            {
                if (_cookies.Count > 0)
                {
                    request.Headers.Remove("Cookie");
                    request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value)));
                }

                var response = await base.SendAsync(request, cancellationToken);
                if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                {
                    foreach (var setCookie in setCookies)
                    {
                        var pair = setCookie.Split(';', 2)[0];
                        var equals = pair.IndexOf('=', StringComparison.Ordinal);
                        var (name, value) = (pair[..equals].Trim(), pair[(equals + 1)..].Trim());
                        var expired = setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase) || value.Length == 0;
                        if (expired)
                        {
                            _cookies.Remove(name);
                        }
                        else
                        {
                            _cookies[name] = value;
                        }
                    }
                }

                if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location || hops > 10)
                {
                    return response;
                }

                var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
                response.Dispose();
                var accept = request.Headers.Accept.ToString();
                request = new HttpRequestMessage(HttpMethod.Get, target);
                request.Headers.Accept.ParseAdd(accept.Length > 0 ? accept : "text/html");
            }
        }
    }

    public static string Format(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
