using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Where a started WebAuthn ceremony waits for the browser's answer. Identity's sign-in manager keeps it in the
/// two-factor cookie, which here holds the pending sign-in (and a cookie can be replayed); this keeps it in the
/// database under a random id that the browser holds in its own cookie, and hands it out once.
/// </summary>
public sealed class PasskeyCeremonies(
    CredentialPortalDbContext db,
    IHttpContextAccessor contextAccessor,
    TimeProvider time,
    IOptions<IdentityPasskeyOptions> passkeyOptions)
{
    public const string CookieName = "__Host-CredentialPortal.Passkey";

    private HttpContext Http => contextAccessor.HttpContext ?? throw new InvalidOperationException("No current request.");

    /// <summary>Stores a new ceremony (replacing this browser's earlier one) and prunes abandoned ones.</summary>
    public async Task StartAsync(string operation, string state)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.PasskeyCeremonies.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync();
        if (CeremonyId() is { } earlier)
        {
            await db.PasskeyCeremonies.Where(c => c.Id == earlier).ExecuteDeleteAsync();
        }

        var ceremony = new PasskeyCeremony
        {
            Id = Guid.NewGuid(),
            Operation = operation,
            State = state,
            // The browser's own timeout (a hint to it) plus a minute for the round trips.
            ExpiresAt = now + passkeyOptions.Value.AuthenticatorTimeout + TimeSpan.FromMinutes(1),
        };
        db.PasskeyCeremonies.Add(ceremony);
        await db.SaveChangesAsync();
        Http.Response.Cookies.Append(CookieName, ceremony.Id.ToString("N"), new CookieOptions
        {
            Path = "/",
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            IsEssential = true,
        });
    }

    /// <summary>
    /// The state of this browser's ceremony of <paramref name="operation"/>, consumed: <c>null</c> when there is
    /// none, it expired, or another request already took it.
    /// </summary>
    public async Task<string?> TakeAsync(string operation)
    {
        if (CeremonyId() is not { } id)
        {
            return null;
        }

        Http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict });
        var now = time.GetUtcNow().UtcDateTime;
        var state = await db.PasskeyCeremonies.AsNoTracking()
            .Where(c => c.Id == id && c.Operation == operation && c.ExpiresAt >= now)
            .Select(c => c.State)
            .SingleOrDefaultAsync();
        // Of two requests with the same ceremony, only the one whose DELETE removed the row goes on.
        return state is not null && await db.PasskeyCeremonies.Where(c => c.Id == id).ExecuteDeleteAsync() == 1 ? state : null;
    }

    private Guid? CeremonyId() =>
        Guid.TryParseExact(Http.Request.Cookies[CookieName], "N", out var id) ? id : null;
}
