using System.Security.Claims;
using CredentialPortal.Core.Audit;

namespace CredentialPortal.Web.Hosting;

public static class HttpContextActor
{
    /// <summary>The signed-in user as an audit actor: email, user id and remote address.</summary>
    public static AuditActor AuditActor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        var userId = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : (Guid?)null;
        var name = user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "anonymous";
        return new AuditActor(name, userId, context.Connection.RemoteIpAddress?.ToString());
    }
}
