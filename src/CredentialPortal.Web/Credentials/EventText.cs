using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Html;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// Audit events and status messages as people read them: sentences instead of <c>key=value</c> records, and secret
/// hints and client IDs in a monospace face, where "PlE…" cannot be read as "PIE…".
/// </summary>
public static partial class EventText
{
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["blocked_address"] = "the address was blocked after too many failures",
        ["malformed_client_id"] = "the client ID was not a valid client ID",
        ["unknown_client"] = "no application has this client ID",
        ["wrong_secret"] = "the secret was wrong",
        ["wrong_checksum"] = "the secret's checksum did not match (mistyped or cut short)",
        ["leaked_secret"] = "the secret was disabled because it was found in public",
        ["disabled_secret"] = "the secret is disabled",
        ["expired_secret"] = "the secret has expired",
        ["inactive_application"] = "the application is inactive",
        ["disabled_key"] = "the key is disabled",
        ["expired_key"] = "the key has expired",
        ["unknown_key"] = "the assertion named a key the application does not have",
        ["no_keys"] = "a client assertion was sent but the application has no key",
        ["wrong_signature"] = "no key of the application verifies the assertion's signature",
        ["assertion_algorithm"] = "the assertion's algorithm is not accepted",
        ["assertion_audience"] = "the assertion was meant for another audience",
        ["assertion_expired"] = "the assertion had expired",
        ["assertion_lifetime"] = "the assertion's expiry was missing or too far ahead",
        ["assertion_issued_at"] = "the assertion was issued in the future (clock skew?)",
        ["assertion_not_yet_valid"] = "the assertion was not valid yet",
        ["assertion_issuer"] = "the assertion's issuer was not the client ID",
        ["assertion_jti"] = "the assertion had no jti",
        ["assertion_invalid"] = "the assertion was not valid",
        ["assertion_replayed"] = "the assertion was used before (replay)",
        ["secrets_not_allowed"] = "the application's policy allows keys only",
        ["keys_not_allowed"] = "the application's policy allows secrets only",
        ["inactive_organisation"] = "the organisation is inactive",
        ["many_client_ids"] = "too many different client IDs failed at once to list them one by one",
    };

    /// <summary><c>secret.created</c> reads "Secret created", <c>login.locked-out</c> "Login locked out".</summary>
    public static string Title(string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        var words = eventType.Replace('.', ' ').Replace('-', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>The event's details as a sentence (records of <c>key=value</c> pairs are rewritten), hints and ids monospaced.</summary>
    public static IHtmlContent Details(string? details) => WithCodes(Sentence(details));

    /// <summary>Encodes the text and sets hints ("abc…") and client IDs (UUIDs) in <c>&lt;code&gt;</c>.</summary>
    public static IHtmlContent WithCodes(string? text) =>
        new HtmlString(Codes().Replace(WebUtility.HtmlEncode(text ?? ""), match => $"<code>{match.Value}</code>"));

    public static string? Sentence(string? details)
    {
        if (details is null || !Record().IsMatch(details))
        {
            return details;
        }

        var pairs = Pair().Matches(details).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
        var count = pairs.TryGetValue("count", out var c) && int.TryParse(c, CultureInfo.InvariantCulture, out var n) ? n : 1;
        var reason = pairs.TryGetValue("reason", out var r) ? Reasons.GetValueOrDefault(r, r.Replace('_', ' ')) : "unknown reason";
        var sentence = (count == 1 ? "1 failed token request" : $"{count} failed token requests")
            + (pairs.TryGetValue("client_id", out var clientId) ? $" for client ID {clientId}" : "");
        if (pairs.TryGetValue("first", out var first) && pairs.TryGetValue("last", out var last)
            && DateTime.TryParse(first, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var from)
            && DateTime.TryParse(last, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var to))
        {
            sentence += from == to
                ? $" at {from:yyyy-MM-dd HH:mm:ss} UTC"
                : $" between {from:yyyy-MM-dd HH:mm:ss} and {(to.Date == from.Date ? to.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : to.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))} UTC";
        }

        return $"{sentence}: {reason}.";
    }

    /// <summary>A record as the token service writes it: it starts with a key=value pair.</summary>
    [GeneratedRegex(@"^(client_id|reason)=\S")]
    private static partial Regex Record();

    [GeneratedRegex(@"(?<key>[a-z_]+)=(?<value>\S+)")]
    private static partial Regex Pair();

    // A hint is three characters of a secret's alphabet before the ellipsis, after the prefix of a recognisable secret; a client ID is a UUID.
    [GeneratedRegex(@"(?<![\w-])(?:[a-z][a-z0-9]{1,15}_)?[A-Za-z0-9_-]{3}…|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")]
    private static partial Regex Codes();
}
