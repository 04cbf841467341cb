using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.Web.Api;

/// <summary>
/// The ETag of an application resource: its <see cref="Application.Version"/> concurrency token together with the
/// state of its secrets and keys, so that a secret change made in the portal also changes the ETag even though the portal does
/// not touch the application row. Usage timestamps are left out: a token request is not an edit.
/// </summary>
internal static class ApplicationETag
{
    public static string For(Application application)
    {
        ArgumentNullException.ThrowIfNull(application);
        var state = new StringBuilder(application.Version.ToString("N"));
        foreach (var credential in application.Secrets.Cast<ClientCredential>().Concat(application.Keys).OrderBy(s => s.Id))
        {
            state.Append(CultureInfo.InvariantCulture, $";{credential.Id}:{credential.DisabledAt?.Ticks ?? 0}");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(state.ToString()));
        return "\"" + Base64Url.EncodeToString(hash.AsSpan(0, 16)) + "\"";
    }

    /// <summary>RFC 9110 §13.1.1: true without If-Match, for <c>*</c>, or when one listed strong tag equals the current one.</summary>
    public static bool IfMatchAllows(HttpRequest request, string current)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        var currentTag = new EntityTagHeaderValue(current);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(currentTag, useStrongComparison: true));
    }
}
