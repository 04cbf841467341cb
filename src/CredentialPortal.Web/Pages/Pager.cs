namespace CredentialPortal.Web.Pages;

/// <summary>
/// The model of <c>_Pager</c>: the current page's number, the page count where it is known, and the route values of
/// the previous and the next page (null where there is none).
/// </summary>
public sealed record Pager(string Page, int Number, int? Pages, IDictionary<string, string?>? PreviousRoute,
    IDictionary<string, string?>? NextRoute, string Previous = "← Previous", string Next = "Next →")
{
    /// <summary>Numbered pages: the links are the neighbouring numbers.</summary>
    public static Pager Numbered(string page, Paging paging, Func<int, IDictionary<string, string?>> routeFor)
    {
        ArgumentNullException.ThrowIfNull(paging);
        ArgumentNullException.ThrowIfNull(routeFor);
        return new Pager(page, paging.Number, paging.Pages,
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
