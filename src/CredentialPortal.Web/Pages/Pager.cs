namespace CredentialPortal.Web.Pages;

/// <summary>
/// The model of <c>_Pager</c>: the list's address, the current page's number, the page count where it is known, and
/// the query of the previous and the next page (null where there is none).
/// </summary>
public sealed record Pager(string Path, int Number, int? Pages, IDictionary<string, string?>? PreviousRoute,
    IDictionary<string, string?>? NextRoute, string Previous = "← Previous", string Next = "Next →")
{
    /// <summary>
    /// The page number's query parameter. Razor Pages keeps its own route value called "page" (the page's path), so
    /// the number is bound from the query only (<c>[FromQuery]</c>) and the links are written out, not route-generated:
    /// either way the route value would win and every link would lead back to page 1.
    /// </summary>
    public const string PageParameter = "page";

    /// <summary>The link to the list with this query (empty values left out).</summary>
    public string Href(IDictionary<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(Path,
            query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => new KeyValuePair<string, string?>(q.Key, q.Value)));
    }

    /// <summary>Numbered pages: the links are the neighbouring numbers.</summary>
    public static Pager Numbered(string path, Paging paging, Func<int, IDictionary<string, string?>> routeFor)
    {
        ArgumentNullException.ThrowIfNull(paging);
        ArgumentNullException.ThrowIfNull(routeFor);
        return new Pager(path, paging.Number, paging.Pages,
            paging.Number > 1 ? routeFor(paging.Number - 1) : null,
            paging.Number < paging.Pages ? routeFor(paging.Number + 1) : null);
    }
}

/// <summary>
/// The arithmetic of numbered pages, for every list that shows "page N of M": the requested number clamped to the pages
/// there are (at least one, so an empty list shows page 1 of 1).
/// </summary>
public sealed record Paging(int Number, int Size, int Total)
{
    public int Pages => PagesFor(Total, Size);

    /// <summary>How many rows the page skips.</summary>
    public int Skip => (Number - 1) * Size;

    public static Paging Of(int requested, int size, int total) => new(Math.Clamp(requested, 1, PagesFor(total, size)), size, total);

    private static int PagesFor(int total, int size) => Math.Max(1, (total + size - 1) / size);
}

public static class PagingQueries
{
    /// <summary>The rows of one page of an ordered query.</summary>
    public static IQueryable<T> Page<T>(this IQueryable<T> ordered, Paging paging)
    {
        ArgumentNullException.ThrowIfNull(paging);
        return ordered.Skip(paging.Skip).Take(paging.Size);
    }
}
