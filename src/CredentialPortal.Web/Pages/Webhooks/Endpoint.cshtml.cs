using CredentialPortal.Core.Data;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>One endpoint: its delivery log, a test event, disable/enable and delete.</summary>
public sealed class EndpointModel(WebhookAccess access, WebhookEndpointManagement webhooks, CredentialPortalDbContext db) : PageModel
{
    public const int MaxDeliveries = 50;

    [FromRoute]
    public int Id { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];
    public string Owner => WebhookAccess.OwnerName(Endpoint);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == Endpoint.Id)
            .OrderByDescending(d => d.Id).Take(MaxDeliveries).ToListAsync(cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken) => ActAsync(async () =>
    {
        if (Endpoint.IsDisabled)
        {
            return "The endpoint is disabled: enable it first to send a test event.";
        }

        var id = await webhooks.SendTestAsync(Endpoint, cancellationToken);
        return $"A webhook.test event ({id}) is on its way; its delivery appears in the log below within seconds (reload the page).";
    }, cancellationToken);

    public Task<IActionResult> OnPostDisableAsync(CancellationToken cancellationToken) => ActAsync(async () =>
    {
        await webhooks.SetEnabledAsync(Endpoint, enabled: false, AuditActors.Current(HttpContext), cancellationToken);
        return "The endpoint is disabled: it gets no more messages, and those still waiting are dropped.";
    }, cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken) => ActAsync(async () =>
    {
        await webhooks.SetEnabledAsync(Endpoint, enabled: true, AuditActors.Current(HttpContext), cancellationToken);
        return "The endpoint is enabled again: it hears about the next changes (missed ones are not sent again).";
    }, cancellationToken);

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var owner = Owner;
        await webhooks.DeleteAsync(Endpoint, AuditActors.Current(HttpContext), cancellationToken);
        StatusMessage = $"The webhook endpoint for {owner} is deleted, with its delivery log.";
        return Redirect("/webhooks");
    }

    private async Task<IActionResult> ActAsync(Func<Task<string>> act, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        StatusMessage = await act();
        return Redirect($"/webhooks/{Endpoint.Id}");
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return false;
        }

        Endpoint = endpoint;
        return true;
    }
}
