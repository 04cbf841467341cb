using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class MalformedRequestTests
{
    public static TheoryData<string> Cases =>
    [
        "empty body", "1 MB body", "1 MB chunked body", "JSON content type", "multipart form", "no content type", "GET", "PUT",
        "bad base64", "Basic without colon", "Basic not UTF-8", "Bearer scheme", "two Authorization headers",
        "duplicate grant_type", "duplicate client_secret", "unknown grant", "many parameters", "broken percent-encoding",
        "control characters in scope", "huge client_id",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_requests_get_an_OAuth_error_never_a_500(string name)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);
        var basic = Basic(app.ClientId, secret);
        var megabyte = "grant_type=client_credentials&x=" + new string('a', 1024 * 1024);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token");
        HttpContent Form(string body) => new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        switch (name)
        {
            case "empty body": request.Content = Form(""); request.Headers.Authorization = basic; break;
            case "1 MB body": request.Content = Form(megabyte); request.Headers.Authorization = basic; break;
            case "1 MB chunked body":
                request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(megabyte)));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                request.Headers.TransferEncodingChunked = true;
                request.Headers.Authorization = basic;
                break;
            case "JSON content type":
                request.Content = new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json");
                request.Headers.Authorization = basic;
                break;
            case "multipart form":
                request.Content = new MultipartFormDataContent { { new StringContent("client_credentials"), "grant_type" } };
                request.Headers.Authorization = basic;
                break;
            case "no content type":
                request.Content = new ByteArrayContent("grant_type=client_credentials"u8.ToArray());
                request.Headers.Authorization = basic;
                break;
            case "GET": request.Method = HttpMethod.Get; break;
            case "PUT": request.Method = HttpMethod.Put; request.Content = Form("grant_type=client_credentials"); break;
            case "bad base64":
                request.Content = Form("grant_type=client_credentials");
                request.Headers.TryAddWithoutValidation("Authorization", "Basic %%%not-base64%%%");
                break;
            case "Basic without colon":
                request.Content = Form("grant_type=client_credentials");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("no-colon-here"u8.ToArray()));
                break;
            case "Basic not UTF-8":
                request.Content = Form("grant_type=client_credentials");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String([0xff, 0xfe, 0x3a, 0xc3]));
                break;
            case "Bearer scheme":
                request.Content = Form("grant_type=client_credentials");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "abc");
                break;
            case "two Authorization headers":
                request.Content = Form("grant_type=client_credentials");
                request.Headers.TryAddWithoutValidation("Authorization", [basic.ToString(), basic.ToString()]);
                break;
            case "duplicate grant_type":
                request.Content = Form("grant_type=client_credentials&grant_type=client_credentials");
                request.Headers.Authorization = basic;
                break;
            case "duplicate client_secret":
                request.Content = Form($"grant_type=client_credentials&client_id={app.ClientId}&client_secret={secret}&client_secret={secret}");
                break;
            case "unknown grant": request.Content = Form("grant_type=urn:example:unknown"); request.Headers.Authorization = basic; break;
            case "many parameters":
                request.Content = Form(string.Join('&', Enumerable.Range(0, 5000).Select(i => $"p{i}=1")));
                request.Headers.Authorization = basic;
                break;
            case "broken percent-encoding":
                request.Content = Form("grant_type=client_credentials&scope=%zz%&%%%");
                request.Headers.Authorization = basic;
                break;
            case "control characters in scope":
                request.Content = Form("grant_type=client_credentials&scope=" + Uri.EscapeDataString("a\r\nb\"\\ c"));
                request.Headers.Authorization = basic;
                break;
            case "huge client_id":
                request.Content = Form($"grant_type=client_credentials&client_id={new string('x', 8000)}&client_secret=x");
                break;
            default: throw new ArgumentOutOfRangeException(nameof(name));
        }

        using var response = await http.SendAsync(request);

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {response.StatusCode}");
        var error = name switch
        {
            "unknown grant" => "unsupported_grant_type",
            "Bearer scheme" or "huge client_id" => "invalid_client",
            "control characters in scope" or "broken percent-encoding" => "invalid_scope",
            _ => "invalid_request",
        };
        var status = name switch
        {
            "GET" or "PUT" => HttpStatusCode.MethodNotAllowed,
            "Bearer scheme" or "huge client_id" => HttpStatusCode.Unauthorized,
            _ => HttpStatusCode.BadRequest,
        };
        await AssertErrorAsync(response, status, error);
    }
}
