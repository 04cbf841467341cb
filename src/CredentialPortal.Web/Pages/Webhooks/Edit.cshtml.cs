using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>Change an endpoint's address, description and event types; its signing secret stays as it is.</summary>
public sealed class EditModel(WebhookAccess access, WebhookEndpointManagement webhooks) : PageModel
{
    public sealed class InputModel
    {
        public string? Url { get; set; }
        public string? Description { get; set; }
        public List<string> EventTypes { get; set; } = [];
    }

    [FromRoute]
    public int Id { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public string Owner => WebhookAccess.OwnerName(Endpoint);
    public bool HidesQuery => new Uri(Endpoint.Url).Query.Length > 0;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindManageableAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return NotFound();
        }

        Endpoint = endpoint;
        // Without its query string, as every page shows it: sent back unchanged, it keeps the stored address.
        Input = new InputModel { Url = endpoint.DisplayUrl, Description = endpoint.Description, EventTypes = [.. endpoint.ReceivedEventTypes] };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await access.FindManageableAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return NotFound();
        }

        Endpoint = endpoint;
        var errors = await webhooks.UpdateAsync(endpoint, Input.Url, Input.Description, Input.EventTypes, AuditActors.Current(HttpContext), cancellationToken);
        if (errors.Count > 0)
        {
            foreach (var (field, message) in errors)
            {
                ModelState.AddModelError($"Input.{field}", message);
            }

            return Page();
        }

        TempData["StatusMessage"] = "The endpoint is saved. Its signing secret is unchanged.";
        return Redirect($"/webhooks/{endpoint.Id}");
    }
}
