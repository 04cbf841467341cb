using System.Text.RegularExpressions;

namespace CredentialPortal.Core.Email;

/// <summary>
/// Text that someone other than the recipient chose, as our emails show it. A credential's name can be set by whoever
/// holds one of the application's secrets (the management API), so a thief could name a key "Urgent: sign in at
/// https://evil.example" and have our own security email carry the lure to every manager. Such text is shortened and
/// made unclickable: mail clients turn addresses into links even in plain text, so the dots, "://" and "@" that make
/// them are written the way security teams write indicators ("evil[.]example"), which readers still recognise.
/// </summary>
public static partial class EmailText
{
    /// <summary>How much of a name an email repeats; the portal shows it whole.</summary>
    public const int MaxNameLength = 40;

    public static string Name(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var line = string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        }).Trim();
        if (line.Length > MaxNameLength)
        {
            line = line[..MaxNameLength].TrimEnd() + "…";
        }

        return LinkMaking().Replace(line, match => match.Value switch
        {
            "://" => "[:]//",
            "@" => "[at]",
            _ => "[.]",
        });
    }

    /// <summary>"://", an "@" and a dot between letters or digits: what turns text into a web or email link.</summary>
    [GeneratedRegex(@"://|@|(?<=[\p{L}\p{N}])\.(?=[\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex LinkMaking();
}
