using System.Security.Claims;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Users;

namespace CredentialPortal.Web.Account;

/// <summary>Builds the audit log's "who and from where" from the current request.</summary>
public static class AuditActors
{
    public static AuditActor For(HttpContext context, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        return new AuditActor(user.Email ?? user.UserName ?? user.Id.ToString("D"), user.Id, RemoteAddress(context));
    }

    /// <summary>Someone not (yet) known as a user, e.g. a failed sign-in with an unknown email.</summary>
    public static AuditActor Anonymous(HttpContext context, string? claimedName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = string.IsNullOrWhiteSpace(claimedName) ? "anonymous" : claimedName.Trim();
        return new AuditActor(name.Length > 256 ? name[..256] : name, null, RemoteAddress(context));
    }

    /// <summary>The signed-in user of the request.</summary>
    public static AuditActor Current(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AuditActor(context.User.FindFirstValue(ClaimTypes.Email) ?? context.User.Identity?.Name ?? "anonymous",
            ManagedApplications.UserId(context.User), RemoteAddress(context));
    }

    private static string? RemoteAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();
}
