using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>
/// One endpoint. To those who manage it: its messages waiting to be sent, its delivery log with "send again", a test
/// event, edit, rotate, disable/enable and delete. To a credential manager seeing their organisation's endpoint: what
/// it is, read-only.
/// </summary>
public sealed class EndpointModel(WebhookAccess access, WebhookEndpointManagement webhooks, TimeProvider time) : PageModel
{
    public const int MaxDeliveries = 50;

    [FromRoute]
    public int Id { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public bool MayManage { get; private set; }
    public WebhookDeliveryLog Log { get; private set; } = new([], [], new HashSet<string>());
    public string Owner => WebhookAccess.OwnerName(Endpoint);
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, Id, cancellationToken) is not (var endpoint, var mayManage))
        {
            return NotFound();
        }

        (Endpoint, MayManage) = (endpoint, mayManage);
        if (MayManage)
        {
            Log = await webhooks.DeliveryLogAsync(endpoint.Id, MaxDeliveries, cancellationToken);
        }

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

    public Task<IActionResult> OnPostRedeliverAsync(string? messageId, CancellationToken cancellationToken) => ActAsync(async () =>
        await webhooks.RedeliverAsync(Endpoint, messageId, AuditActors.Current(HttpContext), cancellationToken) switch
        {
            WebhookRedelivery.Queued => $"Message {messageId} is on its way again, with the same webhook-id and content; its delivery appears in the log below within seconds (reload the page).",
            WebhookRedelivery.StillPending => $"Message {messageId} is still waiting to be sent: it is tried again at the time shown below.",
            WebhookRedelivery.EndpointDisabled => "The endpoint is disabled: enable it first to send a message again.",
            _ => "That message cannot be sent again: it is not in this endpoint's log, or its content was not kept.",
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
        if (!await LoadManageableAsync(cancellationToken))
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
        if (!await LoadManageableAsync(cancellationToken))
        {
            return NotFound();
        }

        StatusMessage = await act();
        return Redirect($"/webhooks/{Endpoint.Id}");
    }

    private async Task<bool> LoadManageableAsync(CancellationToken cancellationToken)
    {
        if (await access.FindManageableAsync(User, Id, cancellationToken) is not { } endpoint)
        {
            return false;
        }

        (Endpoint, MayManage) = (endpoint, true);
        return true;
    }
}
