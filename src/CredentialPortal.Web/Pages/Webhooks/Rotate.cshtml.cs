using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>
/// Rotate an endpoint's signing secret: what happens, then the new secret, shown in the response that creates it and
/// never again.
/// </summary>
public sealed class RotateModel(WebhookAccess access, WebhookEndpointManagement webhooks, IOptions<WebhookOptions> options,
    TimeProvider time) : PageModel
{
    [FromRoute]
    public int Id { get; set; }

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public RotatedWebhookSecret? Rotated { get; private set; }
    public string Owner => WebhookAccess.OwnerName(Endpoint);
    public TimeSpan Overlap => options.Value.SecretRotationOverlap;

    /// <summary>When the secret before the current one stops signing, if it still does: a rotation now ends it at once.</summary>
    public DateTime? OlderSecretSignsUntil =>
        Endpoint.PreviousSecretExpiresAt is { } until && until > time.GetUtcNow().UtcDateTime ? until : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindManageableAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return NotFound();
        }

        Endpoint = endpoint;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await access.FindManageableAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return NotFound();
        }

        Endpoint = endpoint;
        // The secret lives in this response only: no redirect, no TempData, not cacheable, never logged.
        Rotated = await webhooks.RotateSecretAsync(endpoint, AuditActors.Current(HttpContext), cancellationToken);
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
        return Page();
    }
}
