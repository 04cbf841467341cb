using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// Dates as the pages show them: a <c>&lt;time&gt;</c> element with the UTC instant on hover, which site.js
/// re-renders in the reader's locale; without JavaScript the ISO date stays readable.
/// </summary>
public static class Dates
{
    public static IHtmlContent Date(DateTime utc) => Element(utc, utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "date");

    public static IHtmlContent DateTime(DateTime utc) => Element(utc, utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC", "datetime");

    /// <summary>"3 days ago", with the exact instant on hover.</summary>
    public static IHtmlContent Relative(DateTime utc, DateTime now) => Element(utc, Ago(now - utc), "relative");

    public static string Ago(TimeSpan elapsed) => elapsed switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalMinutes: < 60 } => Plural((int)elapsed.TotalMinutes, "minute") + " ago",
        { TotalHours: < 24 } => Plural((int)elapsed.TotalHours, "hour") + " ago",
        { TotalDays: < 60 } => Plural((int)elapsed.TotalDays, "day") + " ago",
        _ => Plural((int)(elapsed.TotalDays / 30), "month") + " ago",
    };

    public static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";

    private static HtmlString Element(DateTime utc, string text, string format)
    {
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var title = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        return new HtmlString($"<time datetime=\"{iso}\" title=\"{title}\" data-format=\"{format}\">{System.Net.WebUtility.HtmlEncode(text)}</time>");
    }
}
