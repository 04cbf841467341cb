using CredentialPortal.Core.Audit;

namespace CredentialPortal.Web.Api;

/// <summary>
/// The authenticated caller of the management API: an application allowed to self-rotate (manages only itself) or an
/// administrators' automation client (manages every application).
/// </summary>
internal sealed record ApiCaller(string ClientId, int ApplicationId, bool IsAdministrator, AuditActor Actor)
{
    public bool MayManage(int applicationId) => IsAdministrator || applicationId == ApplicationId;

    /// <summary>Handler parameter binding: the caller <see cref="ManagementApiAccess.Policy"/> admitted.</summary>
    public static async ValueTask<ApiCaller?> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await context.RequestServices.GetRequiredService<ManagementApiAccess>().DecideAsync(context)).Caller;
    }
}
