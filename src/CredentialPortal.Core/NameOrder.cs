using System.Globalization;

namespace CredentialPortal.Core;

/// <summary>
/// The order lists show names in (organisations, applications, countries): alphabetical as people read it, where accents
/// and case do not decide ("Ärzte" among the A's, "Côte d'Ivoire" before "Czechia"), ties broken ordinally so that the
/// order is stable. The databases cannot give this order alike — SQLite compares bytes (accented letters sort last),
/// PostgreSQL and SQL Server follow whatever collation the server was set up with — so lists are ordered here, in memory,
/// on the same comparer for every provider. That suits the portal's lists: names are short and an installation has at
/// most tens of thousands of them; a list that outgrows this wants a stored, normalised sort key instead.
/// </summary>
public static class NameOrder
{
    public static StringComparer Comparer { get; } =
        StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace);

    public static IOrderedEnumerable<T> OrderByName<T>(this IEnumerable<T> items, Func<T, string> name) =>
        items.OrderBy(name, Comparer).ThenBy(name, StringComparer.Ordinal);
}
