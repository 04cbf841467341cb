using System.Globalization;
using System.Net;
using CredentialPortal.Core;
using Microsoft.AspNetCore.Html;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// Instants as the pages show them: a <c>&lt;time&gt;</c> element in the one format pages and emails share
/// (<see cref="PortalText.Time(System.DateTime)"/>, "2026-12-06 15:03 UTC"), with the machine-readable instant in its
/// <c>datetime</c> attribute.
/// </summary>
public static class Dates
{
    public static IHtmlContent DateTime(DateTime utc) => Element(utc, PortalText.Time(utc));

    /// <summary>"3 days ago", with the exact instant on hover.</summary>
    public static IHtmlContent Relative(DateTime utc, DateTime now) => Element(utc, Ago(now - utc), PortalText.Time(utc));

    public static string Ago(TimeSpan elapsed) => elapsed switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalMinutes: < 60 } => PortalText.Count((int)elapsed.TotalMinutes, "minute") + " ago",
        { TotalHours: < 24 } => PortalText.Count((int)elapsed.TotalHours, "hour") + " ago",
        { TotalDays: < 60 } => PortalText.Count((int)elapsed.TotalDays, "day") + " ago",
        _ => PortalText.Count((int)(elapsed.TotalDays / 30), "month") + " ago",
    };

    private static HtmlString Element(DateTime utc, string text, string? title = null)
    {
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var hover = title is null ? "" : $" title=\"{WebUtility.HtmlEncode(title)}\"";
        return new HtmlString($"<time datetime=\"{iso}\"{hover}>{WebUtility.HtmlEncode(text)}</time>");
    }
}
