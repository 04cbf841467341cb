using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>Register an endpoint; the response that registers it is the only one that ever shows its signing secret.</summary>
public sealed class RegisterModel(WebhookAccess access, WebhookEndpointManagement webhooks) : PageModel
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose what the endpoint hears about.")]
        public string? Target { get; set; }

        [Required(ErrorMessage = "Enter the address your system receives webhooks on.")]
        public string? Url { get; set; }

        public string? Description { get; set; }

        /// <summary>The ticked event types; the form starts with all of them.</summary>
        public List<string> EventTypes { get; set; } = [];

        /// <summary>Administrators only: deliveries to loopback, link-local and private addresses.</summary>
        public bool AllowPrivateNetwork { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Targets { get; private set; } = [];
    public RegisteredWebhook? Registered { get; private set; }
    public string RegisteredFor => Targets.FirstOrDefault(t => t.Value == Input.Target)?.Text ?? "";
    public bool IsAdministrator => ManagedApplications.IsAdministrator(User);

    public async Task<IActionResult> OnGetAsync(int? applicationId, CancellationToken cancellationToken)
    {
        await LoadTargetsAsync(cancellationToken);
        Input.Target = applicationId is { } id ? $"app:{id}" : null;
        Input.EventTypes = WebhookEventTypes.Choosable.Select(c => c.Type).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var targets = await LoadTargetsAsync(cancellationToken);
        // Only a target offered to this user counts: a tampered value is refused like a missing one.
        if (Input.Target is not null && !targets.Contains(Input.Target))
        {
            ModelState.AddModelError("Input.Target", "Choose what the endpoint hears about.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var id = int.Parse(Input.Target![4..], CultureInfo.InvariantCulture);
        var forOrganisation = Input.Target.StartsWith("org:", StringComparison.Ordinal);
        var result = await webhooks.RegisterAsync(Input.Url, Input.Description, forOrganisation ? id : null, forOrganisation ? null : id,
            IsAdministrator && Input.AllowPrivateNetwork, AuditActors.Current(HttpContext), Input.EventTypes, cancellationToken);
        if (!result.Succeeded)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError($"Input.{field}", message);
            }

            return Page();
        }

        // The secret lives in this response only: no redirect, no TempData, not cacheable, never logged.
        Registered = result.Registered;
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
        return Page();
    }

    private async Task<HashSet<string>> LoadTargetsAsync(CancellationToken cancellationToken)
    {
        var targets = await access.TargetsAsync(User, cancellationToken);
        Targets = targets.Select(t => new SelectListItem(t.Label, t.Value)).ToList();
        return targets.Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
    }
}
