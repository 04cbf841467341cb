using CredentialPortal.Core.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>
/// The webhook endpoints the user may see, with who registered each (it stays when they leave: the others see whose
/// it was) and, for those the user manages, the latest delivery.
/// </summary>
public sealed class IndexModel(WebhookAccess access) : PageModel
{
    public sealed record Row(int Id, string Owner, string Url, string CreatedBy, DateTime CreatedAt, bool Disabled, bool MayManage,
        DateTime? LastAttemptAt, WebhookDeliveryOutcome? LastOutcome, int? LastStatus);

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<Row> Endpoints { get; private set; } = [];

    /// <summary>Only the endpoints of this organisation and its applications (the administrators' organisation page links here).</summary>
    [FromQuery]
    public int? OrganisationId { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var manageable = access.Manageable(User).Select(e => e.Id);
        var visible = OrganisationId is { } organisationId
            ? access.Visible(User).Where(e => e.OrganisationId == organisationId || e.Application!.OrganisationId == organisationId)
            : access.Visible(User);
        var endpoints = await visible
            .OrderBy(e => e.Organisation != null ? e.Organisation.Name : e.Application!.Name).ThenBy(e => e.Id)
            .Select(e => new
            {
                e.Id,
                Organisation = e.Organisation != null ? e.Organisation.Name : null,
                Application = e.Application != null ? e.Application.Name : null,
                e.Url,
                e.CreatedBy,
                e.CreatedAt,
                e.DisabledAt,
                MayManage = manageable.Contains(e.Id),
                Last = e.Deliveries.OrderByDescending(d => d.Id).Select(d => new { d.AttemptedAt, d.Outcome, d.StatusCode }).FirstOrDefault(),
            })
            .Take(500)
            .ToListAsync(cancellationToken);
        // An endpoint seen read-only shows no delivery: its log tells of other applications' credentials.
        Endpoints = endpoints.Select(e => new Row(e.Id, e.Application ?? $"{e.Organisation} (organisation)", WebhookEndpoint.DisplayUrlOf(e.Url),
            e.CreatedBy, e.CreatedAt, e.DisabledAt is not null, e.MayManage,
            e.MayManage ? e.Last?.AttemptedAt : null, e.MayManage ? e.Last?.Outcome : null, e.MayManage ? e.Last?.StatusCode : null)).ToList();
        return Page();
    }
}
