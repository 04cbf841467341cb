using Microsoft.AspNetCore.WebUtilities;
using CredentialPortal.Core;
using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

public static class IdentitySetup
{
    public const int MinimumPasswordLength = PasswordRules.MinimumLength;

    /// <summary>Policy of every portal page: a session that completed the second factor.</summary>
    public const string MultiFactorPolicy = "MultiFactor";
    public const string AdministratorPolicy = "Administrator";

    public const string SessionCookieName = "__Host-CredentialPortal";
    public const string PendingCookieName = "__Host-CredentialPortal.Pending";

    /// <summary>
    /// ASP.NET Core Identity on its EF Core stores (our user store adds hashed recovery codes and an encrypted
    /// authenticator key), cookie sessions in two
    /// stages (see <see cref="PortalSessions"/>), the authorization policies and the account services.
    /// </summary>
    public static WebApplicationBuilder AddPortalIdentity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<AccountOptions, AccountOptionsValidator>(AccountOptions.SectionName);

        services.AddIdentityCore<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Length over composition (NIST SP 800-63B): no character-class rules.
                options.Password.RequiredLength = MinimumPasswordLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.AllowedForNewUsers = true;
                options.Tokens.AuthenticatorTokenProvider = TotpAuthenticator.ProviderName;
            })
            .AddRoles<PortalRole>()
            .AddEntityFrameworkStores<CredentialPortalDbContext>()
            .AddUserStore<PortalUserStore>()
            .AddUserManager<PortalUserManager>()
            .AddSignInManager<PortalSignInManager>()
            .AddPasswordValidator<PasswordRules>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<TotpAuthenticator>(TotpAuthenticator.ProviderName);
        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountOptions>>((options, account) =>
        {
            options.Lockout.MaxFailedAccessAttempts = account.Value.MaxFailedAttempts;
            options.Lockout.DefaultLockoutTimeSpan = account.Value.LockoutDuration;
        });

        // Passkeys (WebAuthn) for the portal's public address: its host is the relying party id, and a browser's
        // answer counts only when it was made on exactly that origin (not a look-alike site, not another port).
        // Without Portal:BaseUrl (Development only) the address is known once the server listens, so it is read when a
        // passkey is checked, and the relying party id is the request's host.
        services.AddOptions<IdentityPasskeyOptions>().Configure<PortalAddress>((options, address) =>
        {
            options.ServerDomain = address.IsConfigured ? new Uri(address.BaseUrl).Host : null;
            options.UserVerificationRequirement = "required";
            options.ResidentKeyRequirement = "required";
            options.ValidateOrigin = context => ValueTask.FromResult(!context.CrossOrigin
                && string.Equals(context.Origin, new Uri(address.BaseUrl).GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
        });

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<AccountOptions>, TimeProvider>((cookie, account, time) =>
            {
                ConfigureCookie(cookie, SessionCookieName, time);
                cookie.ExpireTimeSpan = account.Value.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/Account/Login";
                cookie.LogoutPath = "/Account/Logout";
                cookie.AccessDeniedPath = "/Account/AccessDenied";
                cookie.Events.OnValidatePrincipal = PortalSessions.ValidatePrincipalAsync;
                // Every request renews the idle timeout (not only past half of it, the default), so a page knows that the
                // session lasts Account:IdleTimeout from its own request and can warn before it ends (js/session.js).
                cookie.Events.OnCheckSlidingExpiration = context =>
                {
                    context.ShouldRenew = true;
                    return Task.CompletedTask;
                };
                // Programs (JSON endpoints) get a status code, browsers the sign-in page.
                cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme)
            .Configure<IOptions<AccountOptions>, TimeProvider>((cookie, account, time) =>
            {
                ConfigureCookie(cookie, PendingCookieName, time);
                cookie.ExpireTimeSpan = account.Value.SecondFactorTimeout;
                cookie.SlidingExpiration = false;
            });

        services.AddAntiforgery(options =>
        {
            // Not __Host-: that prefix needs Secure, and antiforgery refuses Secure-only cookies on plain http, which
            // the local default (http://localhost:5080) is. The session cookie, which matters, is __Host- always.
            options.Cookie.Name = "CredentialPortal.Antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        var multiFactor = new AuthorizationPolicyBuilder(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(PortalSessions.AuthenticationMethodClaim, PortalSessions.MultiFactor)
            .Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(MultiFactorPolicy, multiFactor)
            .SetDefaultPolicy(multiFactor)
            // Secure by default: an endpoint without [Authorize]/[AllowAnonymous] needs a full session.
            .SetFallbackPolicy(multiFactor)
            .AddPolicy(AdministratorPolicy, policy => policy.Combine(multiFactor).RequireRole(PortalRole.Administrator));

        services.AddHttpContextAccessor();
        services.AddSingleton<PortalAddress>();
        services.AddSingleton<IPortalLinks>(provider => provider.GetRequiredService<PortalAddress>());
        services.AddScoped<PortalSessions>();
        services.AddSingleton<StandInPasswordHash>();
        services.AddScoped<AccountSecurity>();
        services.AddScoped<PortalSignIn>();
        services.AddScoped<AccountChanges>();
        services.AddScoped<OneTimeLinks>();
        services.AddScoped<AccountEmails>();
        services.AddScoped<ManagedApplications>();
        services.AddScoped<PasskeyCeremonies>();
        services.AddScoped<AccountPasskeys>();
        // The administrators' commands are Core's; the emails they queue are composed here (links to the portal's pages).
        services.AddScoped<IAdministrationEmails, Administration.AdministrationEmails>();
        services.AddScoped<ApplicationManagement>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<OrganisationAdministration>();
        services.AddScoped<Invitations>();
        services.AddScoped<Pages.Webhooks.WebhookAccess>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<Core.Audit.AuditQuery>();
        return builder;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie, string name, TimeProvider time)
    {
        cookie.Cookie.Name = name;
        cookie.Cookie.Path = "/";
        cookie.Cookie.Domain = null;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        // The session cookie carries its own expiry (idle timeout); the browser keeps it only for the browser session.
        cookie.Cookie.MaxAge = null;
        cookie.TimeProvider = time;
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var acceptsHtml = context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
        // A session cookie that no longer signs anyone in belonged to a session that ended: the sign-in page says so.
        var redirectUri = status == StatusCodes.Status401Unauthorized && context.Request.Cookies.ContainsKey(SessionCookieName)
            ? QueryHelpers.AddQueryString(context.RedirectUri, PortalSessions.EndedParameter, "true")
            : context.RedirectUri;
        if (HttpMethods.IsGet(context.Request.Method) && (acceptsHtml || context.Request.Headers.Accept.Count == 0))
        {
            context.Response.Redirect(redirectUri);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            context.Response.Redirect(redirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }
}
