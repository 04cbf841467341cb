using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.Web.Pages.Admin.Audit;

/// <summary>Every security event, filtered and paged (<see cref="AuditQuery"/>), with a CSV export of the filtered events.</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(AuditQuery audit) : PageModel
{
    /// <summary>The dates a filter may name: wide enough for any event, narrow enough that "the day after" always exists.</summary>
    public const string EarliestDate = "2000-01-01", LatestDate = "2099-12-31";

    [BindProperty(SupportsGet = true)]
    [Range(typeof(DateOnly), EarliestDate, LatestDate, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "The start date must be between " + EarliestDate + " and " + LatestDate + ".")]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    [Range(typeof(DateOnly), EarliestDate, LatestDate, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "The end date must be between " + EarliestDate + " and " + LatestDate + ".")]
    public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true), PlainText(ErrorMessage = "The actor " + PlainText.ErrorMessage + ".")] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public int? OrganisationId { get; set; }
    [BindProperty(SupportsGet = true)] public int? ApplicationId { get; set; }
    [BindProperty(SupportsGet = true), PlainText] public string? EventType { get; set; }
    [FromQuery(Name = Pager.PageParameter)] public int PageNumber { get; set; } = 1;

    /// <summary>Keyset cursors (<see cref="AuditCursor"/>): the events older than, or newer than, this one.</summary>
    [BindProperty(SupportsGet = true)] public string? Before { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public IReadOnlyList<AuditRow> Events { get; private set; } = [];
    public bool HasOlder { get; private set; }
    public bool HasNewer { get; private set; }
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Applications { get; private set; } = [];

    public static IReadOnlyList<string> EventTypes => AuditQuery.EventTypes;

    private AuditFilter Filter => new(From, To, Actor, OrganisationId, ApplicationId, EventType);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        // A value that is not a date or an id gets our words, not the binder's ("The value 'abc' is not valid for From.").
        foreach (var (field, problem) in new[]
                 {
                     (nameof(From), "is not a date: enter the start date as year-month-day, e.g. 2026-12-06."),
                     (nameof(To), "is not a date: enter the end date as year-month-day, e.g. 2026-12-06."),
                     (nameof(OrganisationId), "is not one of the organisations: choose one from the list."),
                     (nameof(ApplicationId), "is not one of the applications: choose one from the list."),
                 })
        {
            if (ModelState[field] is { ValidationState: ModelValidationState.Invalid, AttemptedValue: { } typed } entry
                && entry.Errors.Any(e => e.ErrorMessage.StartsWith("The value ", StringComparison.Ordinal)))
            {
                entry.Errors.Clear();
                entry.Errors.Add($"'{typed}' {problem}");
            }
        }

        if (From is { } from && To is { } to && to < from)
        {
            ModelState.AddModelError(nameof(To), "The end date must not be before the start date.");
        }

        var (organisations, applications) = await audit.FilterChoicesAsync(Filter, cancellationToken);
        Organisations = organisations.Select(o => new SelectListItem(o.Name, o.Id.ToString(CultureInfo.InvariantCulture))).ToList();
        Applications = applications.Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture))).ToList();

        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL. A date
        // out of range or a number that is not one cannot be applied: the page shows the field message and no events.
        if (HasUnmatchableFilter)
        {
            return Page();
        }

        var page = await audit.PageAsync(Filter, new AuditPosition(PageNumber, AuditCursor.Parse(Before), AuditCursor.Parse(After)),
            cancellationToken);
        (Events, PageNumber, HasOlder, HasNewer) = (page.Events, page.Number, page.HasOlder, page.HasNewer);
        return Page();
    }

    private bool HasUnmatchableFilter =>
        new[] { nameof(From), nameof(To), nameof(Actor), nameof(OrganisationId), nameof(ApplicationId), nameof(EventType) }
            .Any(name => ModelState.GetFieldValidationState(name) == ModelValidationState.Invalid);

    /// <summary>The filtered events as CSV, newest first, streamed to the response as they are read.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (HasUnmatchableFilter)
        {
            return BadRequest(ModelState);
        }

        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(AuditCsv.FileName);
        Response.ContentType = AuditCsv.ContentType;
        Response.Headers.ContentDisposition = disposition.ToString();
        await AuditCsv.WriteAsync(audit.ExportAsync(Filter), Response.Body, cancellationToken);
        return new EmptyResult();
    }

    public Pager Pager => new("/admin/audit", PageNumber, null,
        HasNewer && Events.Count > 0 ? RouteFor(PageNumber - 1, after: AuditCursor.Of(Events[0])) : HasNewer ? RouteFor(1) : null,
        HasOlder ? RouteFor(PageNumber + 1, before: AuditCursor.Of(Events[^1])) : null, "← Newer", "Older →");

    /// <summary>The current filters with another page (and the cursor that leads there), for the pager and export links.</summary>
    public IDictionary<string, string?> RouteFor(int page, string? before = null, string? after = null) => new Dictionary<string, string?>
    {
        ["Before"] = before,
        ["After"] = after,
        ["From"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["To"] = To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["Actor"] = Actor,
        ["OrganisationId"] = OrganisationId?.ToString(CultureInfo.InvariantCulture),
        ["ApplicationId"] = ApplicationId?.ToString(CultureInfo.InvariantCulture),
        ["EventType"] = EventType,
        [Pager.PageParameter] = page.ToString(CultureInfo.InvariantCulture),
    };
}
