using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;

namespace CredentialPortal.Testing;

/// <summary>One email as written to the pickup directory, decoded enough for assertions.</summary>
public sealed record PickedUpMail(string File, IReadOnlyList<string> To, string Subject, string Body, string Raw);

/// <summary>Reads the <c>.eml</c> files the pickup-directory sender wrote.</summary>
public sealed partial class MailFolder(string directory)
{
    public IReadOnlyList<PickedUpMail> All()
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return new DirectoryInfo(directory).GetFiles("*.eml")
            .OrderBy(f => f.CreationTimeUtc).ThenBy(f => f.Name)
            .Select(f => Parse(f.FullName))
            .ToList();
    }

    public IReadOnlyList<PickedUpMail> To(string address) =>
        All().Where(m => m.To.Contains(address, StringComparer.OrdinalIgnoreCase)).ToList();

    public void Clear()
    {
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.GetFiles(directory, "*.eml"))
            {
                File.Delete(file);
            }
        }
    }

    private static PickedUpMail Parse(string file)
    {
        var raw = File.ReadAllText(file);
        var headerEnd = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = Unfold(headerEnd < 0 ? raw : raw[..headerEnd]);
        var to = Header(headers, "To").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => new MailAddress(a).Address).ToList();
        return new PickedUpMail(file, to, DecodeEncodedWords(Header(headers, "Subject")), DecodeBodies(raw), raw);
    }

    private static string Unfold(string headers) => headers.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);

    private static string Header(string headers, string name) =>
        headers.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";

    /// <summary>RFC 2047 encoded words, as SmtpClient writes non-ASCII subjects.</summary>
    private static string DecodeEncodedWords(string value) => EncodedWord().Replace(BetweenEncodedWords().Replace(value, "?==?"), m =>
    {
        var bytes = m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
            ? Convert.FromBase64String(m.Groups[3].Value)
            : DecodeQuotedPrintable(m.Groups[3].Value.Replace('_', ' '));
        return Encoding.GetEncoding(m.Groups[1].Value).GetString(bytes);
    });

    /// <summary>All text parts, decoded from base64 or quoted-printable, concatenated.</summary>
    private static string DecodeBodies(string raw)
    {
        var result = new StringBuilder();
        foreach (Match part in BodyPart().Matches(raw))
        {
            var encoding = part.Groups["encoding"].Value.Trim().ToUpperInvariant();
            var content = part.Groups["content"].Value;
            result.AppendLine(encoding switch
            {
                "BASE64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(content.Split("\r\n").TakeWhile(l => !l.StartsWith("--", StringComparison.Ordinal))))),
                "QUOTED-PRINTABLE" => Encoding.UTF8.GetString(DecodeQuotedPrintable(content.Replace("=\r\n", "", StringComparison.Ordinal))),
                _ => content,
            });
        }

        return result.ToString();
    }

    private static byte[] DecodeQuotedPrintable(string value)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '=' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"\?=\s+=\?")]
    private static partial Regex BetweenEncodedWords();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"Content-Transfer-Encoding:(?<encoding>[^\r\n]+)\r\n(?:[^\r\n]+\r\n)*\r\n(?<content>.*?)(?=\r\n--|\z)", RegexOptions.Singleline)]
    private static partial Regex BodyPart();
}
