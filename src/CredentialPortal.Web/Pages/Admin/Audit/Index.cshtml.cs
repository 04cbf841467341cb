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
    [FromQuery(Name = Pager.PageParameter)] public int PageNumber { get; set; } = 1;

    /// <summary>Keyset cursors (<see cref="AuditCursor"/>): the events older than, or newer than, this one.</summary>
    [BindProperty(SupportsGet = true)] public string? Before { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public IReadOnlyList<Row> Events { get; private set; } = [];
    public bool HasOlder { get; private set; }
    public bool HasNewer { get; private set; }
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
        // Thousands of applications make no usable list: the organisation's ones once it is chosen (or the one filtered by).
        Applications = OrganisationId is null && ApplicationId is null ? [] : await db.Applications.OrderBy(a => a.Name)
            .Where(a => a.OrganisationId == OrganisationId || a.Id == ApplicationId)
            .Select(a => new SelectListItem(a.Name, a.Id.ToString(CultureInfo.InvariantCulture))).ToListAsync(cancellationToken);

        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL. A date
        // out of range or a number that is not one cannot be applied: the page shows the field message and no events.
        if (HasUnmatchableFilter)
        {
            return Page();
        }

        // Keyset paging, newest first: no count of the whole log, and an older page costs what the first one does.
        // A page number alone (a bookmarked ?page=N) still works, by offset.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        var query = Filtered();
        List<AuditEvent> page;
        if (AuditCursor.TryParse(After, out var after))
        {
            page = await query.Where(e => e.OccurredAt >= after.OccurredAt && (e.OccurredAt > after.OccurredAt || e.Id > after.Id))
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Take(PageSize + 1).ToListAsync(cancellationToken);
            HasNewer = page.Count > PageSize;
            PageNumber = HasNewer ? PageNumber : 1;
            page = page.Take(PageSize).Reverse().ToList();
            HasOlder = true;
        }
        else
        {
            var newestFirst = query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
            var older = AuditCursor.TryParse(Before, out var before)
                ? newestFirst.Where(e => e.OccurredAt <= before.OccurredAt && (e.OccurredAt < before.OccurredAt || e.Id < before.Id))
                : newestFirst.Skip((PageNumber - 1) * PageSize);
            page = await older.Take(PageSize + 1).ToListAsync(cancellationToken);
            HasOlder = page.Count > PageSize;
            page = page.Take(PageSize).ToList();
            HasNewer = Before is not null || PageNumber > 1;
        }

        Events = await NamesOfAsync(page, cancellationToken);
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

    /// <summary>One page's events with their organisation and application names, looked up for that page only.</summary>
    private async Task<IReadOnlyList<Row>> NamesOfAsync(List<AuditEvent> page, CancellationToken cancellationToken)
    {
        var organisationIds = page.Where(e => e.OrganisationId is not null).Select(e => e.OrganisationId!.Value).Distinct().ToList();
        var applicationIds = page.Where(e => e.ApplicationId is not null).Select(e => e.ApplicationId!.Value).Distinct().ToList();
        var organisations = await db.Organisations.Where(o => organisationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var applications = await db.Applications.Where(a => applicationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
        return page.Select(e => new Row(e.Id, e.OccurredAt, e.EventType, e.Actor, e.RemoteAddress,
            e.OrganisationId is { } o ? organisations.GetValueOrDefault(o) : null,
            e.ApplicationId is { } a ? applications.GetValueOrDefault(a) : null, e.Details)).ToList();
    }

    private IQueryable<Row> Project(IQueryable<AuditEvent> query) =>
        from e in query
        join o in db.Organisations on e.OrganisationId equals o.Id into organisations
        from o in organisations.DefaultIfEmpty()
        join a in db.Applications on e.ApplicationId equals a.Id into applications
        from a in applications.DefaultIfEmpty()
        select new Row(e.Id, e.OccurredAt, e.EventType, e.Actor, e.RemoteAddress, o.Name, a.Name, e.Details);
}
