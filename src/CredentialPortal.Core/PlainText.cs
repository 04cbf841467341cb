using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.Core;

/// <summary>
/// The rule for every text a person types: no control characters (NUL, tab, line breaks, escape …). PostgreSQL refuses
/// NUL in text with an error while SQLite stores it, and the others break CSV exports, emails and log lines; refusing
/// them at the edge gives the same clear answer on every provider.
/// </summary>
public static class PlainText
{
    public const string ErrorMessage = "must not contain control characters such as tabs, line breaks or NUL";

    /// <summary>Trims and turns every run of whitespace into one space: "Stichting  Matchis " is "Stichting Matchis".</summary>
    public static string CollapseWhitespace(string? value) =>
        string.Join(' ', (value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>How much of a caller's input an error message repeats.</summary>
    public const int MaxEchoLength = 64;

    /// <summary>
    /// Caller input as an error message may repeat it (an OAuth error_description, a problem detail): at most
    /// <see cref="MaxEchoLength"/> characters, then "...", and only the characters RFC 6749 §5.2 allows (printable ASCII
    /// without quote and backslash; anything else becomes '?'), so it cannot break the response or forge a log line.
    /// </summary>
    public static string Echo(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var shortened = value.Length > MaxEchoLength ? value[..MaxEchoLength] + "..." : value;
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is < ' ' or > '~' or '"' or '\\' ? '?' : source[i];
            }
        });
    }

    /// <summary>True when the text holds a character of Unicode category Cc (U+0000–U+001F, U+007F–U+009F).</summary>
    public static bool HasControlCharacters(string? value) =>
        value is not null && (value.AsSpan().ContainsAnyInRange('\0', '\u001f') || value.AsSpan().ContainsAnyInRange('\u007f', '\u009f'));
}

/// <summary>Validates a string property with <see cref="PlainText"/>'s rule; null and empty pass (use <c>[Required]</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class PlainTextAttribute : ValidationAttribute
{
    public PlainTextAttribute()
        : base(() => "The {0} " + PlainText.ErrorMessage + ".")
    {
    }

    public override bool IsValid(object? value) => value is not string text || !PlainText.HasControlCharacters(text);
}
