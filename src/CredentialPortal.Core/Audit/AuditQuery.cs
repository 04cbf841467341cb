using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Audit;

/// <summary>The audit log's filters; each one that is set narrows the events. Dates are UTC days, both ends included.</summary>
public sealed record AuditFilter(
    DateOnly? From = null, DateOnly? To = null, string? Actor = null, int? OrganisationId = null, int? ApplicationId = null,
    string? EventType = null);

/// <summary>One event as the log shows it, with the names of its organisation and application.</summary>
public sealed record AuditRow(long Id, DateTime OccurredAt, string EventType, string Actor, string? RemoteAddress,
    string? Organisation, string? Application, string? Details);

/// <summary>
/// Which page of the log: the events newer than <see cref="After"/>, older than <see cref="Before"/>, or (neither set)
/// the page with this number counted from the newest, which a bookmarked <c>?page=N</c> still reaches.
/// </summary>
public sealed record AuditPosition(int Number = 1, AuditCursor? Before = null, AuditCursor? After = null);

/// <summary>One page of events, newest first, its number, and whether there are older or newer events.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Events, int Number, bool HasOlder, bool HasNewer);

/// <summary>The one place that reads the audit log: filtered pages for the log page, and the filtered rows for the export.</summary>
public sealed class AuditQuery(CredentialPortalDbContext db)
{
    public const int PageSize = 100;

    /// <summary>The export is capped so that one request cannot stream the whole table.</summary>
    public const int MaxExportRows = 100_000;

    /// <summary>Every event type, in the order the filter lists them.</summary>
    public static IReadOnlyList<string> EventTypes { get; } = typeof(AuditEventTypes)
        .GetFields().Select(f => (string)f.GetValue(null)!).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Keyset paging, newest first: no count of the whole log, and an older page costs what the first one does.
    /// A page number alone pages by offset.
    /// </summary>
    public async Task<AuditPage> PageAsync(AuditFilter filter, AuditPosition position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(position);
        var number = Math.Clamp(position.Number, 1, int.MaxValue / PageSize);
        var query = Filtered(filter);
        if (position.After is { } after)
        {
            var newer = await query.Where(e => e.OccurredAt >= after.OccurredAt && (e.OccurredAt > after.OccurredAt || e.Id > after.Id))
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Take(PageSize + 1).ToListAsync(cancellationToken);
            var hasNewer = newer.Count > PageSize;
            var events = await NamesOfAsync(newer.Take(PageSize).Reverse().ToList(), cancellationToken);
            return new AuditPage(events, hasNewer ? number : 1, HasOlder: true, hasNewer);
        }

        var newestFirst = query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
        var older = position.Before is { } before
            ? newestFirst.Where(e => e.OccurredAt <= before.OccurredAt && (e.OccurredAt < before.OccurredAt || e.Id < before.Id))
            : newestFirst.Skip((number - 1) * PageSize);
        var page = await older.Take(PageSize + 1).ToListAsync(cancellationToken);
        return new AuditPage(await NamesOfAsync(page.Take(PageSize).ToList(), cancellationToken), number,
            HasOlder: page.Count > PageSize, HasNewer: position.Before is not null || number > 1);
    }

    /// <summary>
    /// The filtered events, newest first and at most <see cref="MaxExportRows"/>, read from the database as they are
    /// enumerated (one query, names joined in), so that an export holds one row at a time.
    /// </summary>
    public IAsyncEnumerable<AuditRow> ExportAsync(AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var newestFirst = Filtered(filter).OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(MaxExportRows);
        return (from e in newestFirst
                join o in db.Organisations on e.OrganisationId equals o.Id into organisations
                from o in organisations.DefaultIfEmpty()
                join a in db.Applications on e.ApplicationId equals a.Id into applications
                from a in applications.DefaultIfEmpty()
                select new AuditRow(e.Id, e.OccurredAt, e.EventType, e.Actor, e.RemoteAddress, o.Name, a.Name, e.Details))
            .AsAsyncEnumerable();
    }

    /// <summary>
    /// What the organisation and application filters offer, as (id, name) by name: every organisation, and the
    /// applications of the chosen organisation (or the one filtered by) — thousands of applications make no usable list.
    /// </summary>
    public async Task<(IReadOnlyList<(int Id, string Name)> Organisations, IReadOnlyList<(int Id, string Name)> Applications)>
        FilterChoicesAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var organisations = (await db.Organisations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken)).OrderByName(o => o.Name).ToList();
        var applications = filter.OrganisationId is null && filter.ApplicationId is null ? [] : await db.Applications
            .Where(a => a.OrganisationId == filter.OrganisationId || a.Id == filter.ApplicationId).OrderByName()
            .Select(a => new { a.Id, a.Name }).ToListAsync(cancellationToken);
        return (organisations.Select(o => (o.Id, o.Name)).ToList(), applications.Select(a => (a.Id, a.Name)).ToList());
    }

    private IQueryable<AuditEvent> Filtered(AuditFilter filter)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (filter.From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.OccurredAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.OccurredAt < end);
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            query = query.Where(e => e.Actor.Contains(actor));
        }

        if (filter.OrganisationId is { } organisationId)
        {
            query = query.Where(e => e.OrganisationId == organisationId);
        }

        if (filter.ApplicationId is { } applicationId)
        {
            query = query.Where(e => e.ApplicationId == applicationId);
        }

        if (!string.IsNullOrEmpty(filter.EventType))
        {
            query = query.Where(e => e.EventType == filter.EventType);
        }

        return query;
    }

    /// <summary>One page's events with their organisation and application names, looked up for that page only.</summary>
    private async Task<IReadOnlyList<AuditRow>> NamesOfAsync(List<AuditEvent> page, CancellationToken cancellationToken)
    {
        var organisationIds = page.Where(e => e.OrganisationId is not null).Select(e => e.OrganisationId!.Value).Distinct().ToList();
        var applicationIds = page.Where(e => e.ApplicationId is not null).Select(e => e.ApplicationId!.Value).Distinct().ToList();
        var organisations = await db.Organisations.Where(o => organisationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var applications = await db.Applications.Where(a => applicationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
        return page.Select(e => new AuditRow(e.Id, e.OccurredAt, e.EventType, e.Actor, e.RemoteAddress,
            e.OrganisationId is { } o ? organisations.GetValueOrDefault(o) : null,
            e.ApplicationId is { } a ? applications.GetValueOrDefault(a) : null, e.Details)).ToList();
    }
}
