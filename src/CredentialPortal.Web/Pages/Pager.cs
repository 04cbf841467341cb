namespace CredentialPortal.Web.Pages;

/// <summary>The model of <c>_Pager</c>: the current page, the page count, and the route values of any page.</summary>
public sealed record Pager(string Page, int Number, int Pages, Func<int, IDictionary<string, string?>> RouteFor,
    string Previous = "← Previous", string Next = "Next →");
