using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Audit;

/// <summary>Every security event, filtered and paged, with a CSV export of the filtered events.</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(CredentialPortalDbContext db) : PageModel
{
    public const int PageSize = 100;

    /// <summary>The export is capped so that one request cannot stream the whole table.</summary>
    public const int MaxExportRows = 100_000;

    public sealed record Row(long Id, DateTime OccurredAt, string EventType, string Actor, string? RemoteAddress,
        string? Organisation, string? Application, string? Details);

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
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<Row> Events { get; private set; } = [];
    public int Total { get; private set; }
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Applications { get; private set; } = [];

    public static IReadOnlyList<string> EventTypes { get; } = typeof(AuditEventTypes)
        .GetFields().Select(f => (string)f.GetValue(null)!).Order(StringComparer.Ordinal).ToList();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (From is { } from && To is { } to && to < from)
        {
            ModelState.AddModelError(nameof(To), "The end date must not be before the start date.");
        }

        Organisations = await db.Organisations.OrderBy(o => o.Name)
            .Select(o => new SelectListItem(o.Name, o.Id.ToString(CultureInfo.InvariantCulture))).ToListAsync(cancellationToken);
        Applications = await db.Applications.OrderBy(a => a.Name)
            .Where(a => OrganisationId == null || a.OrganisationId == OrganisationId)
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture))).ToListAsync(cancellationToken);

        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL. A date
        // out of range or a number that is not one cannot be applied: the page shows the field message and no events.
        if (HasUnmatchableFilter)
        {
            return Page();
        }

        var query = Filtered();
        Total = await query.CountAsync(cancellationToken);
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        Events = await Project(query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip((PageNumber - 1) * PageSize).Take(PageSize)).ToListAsync(cancellationToken);
        return Page();
    }

    private bool HasUnmatchableFilter =>
        new[] { nameof(From), nameof(To), nameof(Actor), nameof(OrganisationId), nameof(ApplicationId), nameof(EventType) }
            .Any(name => ModelState.GetFieldValidationState(name) == ModelValidationState.Invalid);

    /// <summary>The filtered events as CSV (RFC 4180), newest first.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (HasUnmatchableFilter)
        {
            return BadRequest(ModelState);
        }

        var csv = new StringBuilder("occurred_at_utc,event_type,actor,remote_address,organisation,application,details\r\n");
        var rows = Project(Filtered().OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(MaxExportRows))
            .AsAsyncEnumerable().WithCancellation(cancellationToken);
        await foreach (var e in rows)
        {
            csv.AppendJoin(',', [
                e.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Csv(e.EventType), Csv(e.Actor), Csv(e.RemoteAddress), Csv(e.Organisation), Csv(e.Application), Csv(e.Details)]);
            csv.Append("\r\n");
        }

        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "audit-log.csv");
    }

    /// <summary>
    /// Quotes a field, and defuses spreadsheet formulas: a cell starting with = + - @, or with a tab or carriage return
    /// (which spreadsheets skip before looking for a formula), gets a leading apostrophe.
    /// </summary>
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public Pager Pager => new("/Admin/Audit/Index", PageNumber, Pages, RouteFor, "← Newer", "Older →");

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public IDictionary<string, string?> RouteFor(int page) => new Dictionary<string, string?>
    {
        ["From"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["To"] = To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["Actor"] = Actor,
        ["OrganisationId"] = OrganisationId?.ToString(CultureInfo.InvariantCulture),
        ["ApplicationId"] = ApplicationId?.ToString(CultureInfo.InvariantCulture),
        ["EventType"] = EventType,
        ["page"] = page.ToString(CultureInfo.InvariantCulture),
    };

    private IQueryable<AuditEvent> Filtered()
    {
        var query = db.AuditEvents.AsNoTracking();
        if (From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.OccurredAt >= start);
        }

        if (To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.OccurredAt < end);
        }

        if (!string.IsNullOrWhiteSpace(Actor))
        {
            var actor = Actor.Trim();
            query = query.Where(e => e.Actor.Contains(actor));
        }

        if (OrganisationId is { } organisationId)
        {
            query = query.Where(e => e.OrganisationId == organisationId);
        }

        if (ApplicationId is { } applicationId)
        {
            query = query.Where(e => e.ApplicationId == applicationId);
        }

        if (!string.IsNullOrEmpty(EventType))
        {
            query = query.Where(e => e.EventType == EventType);
        }

        return query;
    }

    private IQueryable<Row> Project(IQueryable<AuditEvent> query) =>
        from e in query
        join o in db.Organisations on e.OrganisationId equals o.Id into organisations
        from o in organisations.DefaultIfEmpty()
        join a in db.Applications on e.ApplicationId equals a.Id into applications
        from a in applications.DefaultIfEmpty()
        select new Row(e.Id, e.OccurredAt, e.EventType, e.Actor, e.RemoteAddress, o.Name, a.Name, e.Details);
}
