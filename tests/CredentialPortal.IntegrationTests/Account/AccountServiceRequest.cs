using System.Net;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.IntegrationTests.Account;

/// <summary>
/// One portal for the account-service tests of a class. Each test makes its own user (<see cref="CreateUserAsync"/>)
/// and sends its requests from its own client address, so that the tests share neither a lockout nor a throttle.
/// </summary>
public sealed class AccountServicesPortal : IAsyncDisposable
{
    public const string Password = "a long enough password for services";

    private readonly Lazy<Task<PortalFactory>> _portal = new(() => PortalFactory.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Reminders:Enabled"] = "false",
        // Applies to administrators only: the test that makes one.
        ["Account:RequirePhishingResistantMfaForAdministrators"] = "true",
    }));

    private int _users;
    private int _addresses;

    public async Task<PortalFactory> PortalAsync() => await _portal.Value;

    /// <summary>A user of the operator's organisation with <see cref="Password"/>, enrolled in an authenticator app unless asked not to.</summary>
    public async Task<ServiceUser> CreateUserAsync(bool enrolled = true)
    {
        var portal = await PortalAsync();
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<PortalUserManager>();
        var organisationId = await portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        var email = $"person{Interlocked.Increment(ref _users)}@services.example";
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Service Tester", OrganisationId = organisationId };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        if (!enrolled)
        {
            return new ServiceUser(email, null);
        }

        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        return new ServiceUser(email, new AuthenticatorApp((await users.GetAuthenticatorKeyAsync(user))!, portal.Time));
    }

    /// <summary>A request from this test's client address: signed in as <paramref name="signedIn"/>, or carrying <paramref name="cookies"/>.</summary>
    public async Task<ServiceRequest> RequestAsync(string? signedIn = null, CookieJar? cookies = null)
    {
        var address = new IPAddress([10, 0, (byte)(_addresses / 250), (byte)(1 + (_addresses % 250))]);
        return await ServiceRequest.StartAsync(await PortalAsync(), address, signedIn, cookies ?? new CookieJar());
    }

    /// <summary>Each test's requests come from one address of their own.</summary>
    public void NextAddress() => Interlocked.Increment(ref _addresses);

    public async ValueTask DisposeAsync()
    {
        if (_portal.IsValueCreated)
        {
            await (await _portal.Value).DisposeAsync();
        }
    }
}

public sealed record ServiceUser(string Email, AuthenticatorApp? Authenticator)
{
    public AuthenticatorApp App => Authenticator ?? throw new InvalidOperationException($"{Email} has no authenticator.");
}

/// <summary>The cookies a browser would keep between requests (the pending sign-in, the session).</summary>
public sealed class CookieJar
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public bool Has(string name) => _cookies.ContainsKey(name);

    public void Set(string name, string value) => _cookies[name] = value;

    public string Header => string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}"));

    public void Take(HttpResponse response)
    {
        foreach (var cookie in SetCookieHeaderValue.ParseList(response.Headers.SetCookie.OfType<string>().ToList()))
        {
            var name = cookie.Name.ToString();
            if (cookie.Expires < DateTimeOffset.UtcNow || cookie.Value.Length == 0)
            {
                _cookies.Remove(name);
            }
            else
            {
                _cookies[name] = cookie.Value.ToString();
            }
        }
    }
}

/// <summary>
/// One request's services: a scope, and the current <see cref="HttpContext"/> the account services read (client
/// address, cookies, signed-in user). Disposing it keeps the cookies the request set in its jar. The context is made
/// current in <see cref="Get{T}"/>, a synchronous call from the test: an async-local set inside an async method would
/// not reach the caller.
/// </summary>
public sealed class ServiceRequest : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;
    private readonly IHttpContextAccessor _accessor;

    private ServiceRequest(AsyncServiceScope scope, HttpContext context, CookieJar cookies)
    {
        _scope = scope;
        Context = context;
        Cookies = cookies;
        _accessor = scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>();
    }

    public HttpContext Context { get; }
    public CookieJar Cookies { get; }

    public T Get<T>() where T : notnull
    {
        _accessor.HttpContext = Context;
        return _scope.ServiceProvider.GetRequiredService<T>();
    }

    public CredentialPortalDbContext Db => Get<CredentialPortalDbContext>();

    public static async Task<ServiceRequest> StartAsync(PortalFactory portal, IPAddress address, string? signedIn, CookieJar cookies)
    {
        var scope = portal.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = address;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("localhost");
        context.Request.Headers.Cookie = cookies.Header;
        if (signedIn is not null)
        {
            var users = scope.ServiceProvider.GetRequiredService<PortalUserManager>();
            var user = await users.FindByEmailAsync(signedIn) ?? throw new InvalidOperationException($"No user {signedIn}.");
            context.User = await scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>().CreateUserPrincipalAsync(user);
        }

        return new ServiceRequest(scope, context, cookies);
    }

    public async ValueTask DisposeAsync()
    {
        Cookies.Take(Context.Response);
        _accessor.HttpContext = null;
        await _scope.DisposeAsync();
    }
}
