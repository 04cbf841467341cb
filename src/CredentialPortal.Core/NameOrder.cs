using System.Globalization;
using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core;

/// <summary>
/// The order lists show names in (organisations, applications, countries): alphabetical as people read it, where accents
/// and case do not decide ("Ärzte" among the A's, "Côte d'Ivoire" before "Czechia"), ties broken ordinally so that the
/// order is stable. The databases cannot give this order alike — SQLite compares bytes (accented letters and lower case
/// sort last), PostgreSQL and SQL Server follow whatever collation the server was set up with — so:
/// <list type="bullet">
/// <item>names that may carry accents (organisations, countries) are ordered in memory, on one comparer for every
/// provider: those lists are short (an installation has hundreds of organisations, the world 249 countries);</item>
/// <item>application names, which are long lists paged in the database, hold only ASCII letters, digits and hyphens
/// (<see cref="ApplicationName"/>), so ordering them case-insensitively in the query is the whole rule, and it translates
/// on every provider.</item>
/// </list>
/// </summary>
public static class NameOrder
{
    public static StringComparer Comparer { get; } =
        StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace);

    public static IOrderedEnumerable<T> OrderByName<T>(this IEnumerable<T> items, Func<T, string> name) =>
        items.OrderBy(name, Comparer).ThenBy(name, StringComparer.Ordinal);

    /// <summary>Applications in alphabetical order, in the database (their names are ASCII: case is all that differs from byte order).</summary>
    public static IOrderedQueryable<Application> OrderByName(this IQueryable<Application> applications) =>
#pragma warning disable CA1304, CA1311 // Translated to SQL UPPER(): the database applies it, no .NET culture is involved.
        applications.OrderBy(a => a.Name.ToUpper()).ThenBy(a => a.Name);
#pragma warning restore CA1304, CA1311
}
