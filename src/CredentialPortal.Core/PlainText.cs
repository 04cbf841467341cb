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
