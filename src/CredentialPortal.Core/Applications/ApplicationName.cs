using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CredentialPortal.Core.Applications;

/// <summary>
/// The naming convention <c>Partner-&lt;CC&gt;-&lt;OrganisationName&gt;-&lt;API&gt;</c>, with the prefix
/// <c>PartnerAlternative</c> for sandbox-only test applications.
/// </summary>
public static partial class ApplicationName
{
    public const string ProductionPrefix = "Partner";
    public const string SandboxOnlyPrefix = "PartnerAlternative";

    /// <summary>Proposes the conventional name from the organisation's <see cref="NamePart"/>.</summary>
    public static string Propose(string countryCode, string organisationName, string apiCode, bool sandboxOnly) =>
        $"{(sandboxOnly ? SandboxOnlyPrefix : ProductionPrefix)}-{countryCode.ToUpperInvariant()}-{NamePart(organisationName)}-{apiCode}";

    /// <summary>
    /// The OrganisationName part: the organisation's name without accents ("Ärzte" gives "Arzte") and without the
    /// characters the pattern forbids. Empty when nothing is left, which <see cref="Organisations.OrganisationName"/>
    /// refuses.
    /// </summary>
    public static string NamePart(string organisationName)
    {
        ArgumentNullException.ThrowIfNull(organisationName);
        var withoutAccents = new StringBuilder(organisationName.Length);
        foreach (var c in organisationName.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                withoutAccents.Append(c);
            }
        }

        return DisallowedNameCharacters().Replace(withoutAccents.ToString(), "");
    }

    /// <summary>Checks a name against the convention; returns an error message, or null when it is valid.</summary>
    public static string? Validate(string name, bool sandboxOnly)
    {
        var match = Pattern().Match(name);
        if (!match.Success)
        {
            return "The name must follow Partner-<CC>-<OrganisationName>-<API>, e.g. Partner-NL-DemoOrg-DM.";
        }

        if (!Organisations.CountryCodes.IsValid(match.Groups["country"].Value))
        {
            return $"'{match.Groups["country"].Value}' is not an ISO 3166-1 alpha-2 country code.";
        }

        if (ApiCatalog.FindApi(match.Groups["api"].Value) is null)
        {
            return $"'{match.Groups["api"].Value}' is not a known API code ({string.Join(", ", ApiCatalog.Apis.Select(a => a.Code))}).";
        }

        var isAlternative = match.Groups["prefix"].Value == SandboxOnlyPrefix;
        if (isAlternative != sandboxOnly)
        {
            return sandboxOnly
                ? "A sandbox-only application's name starts with PartnerAlternative-."
                : "Only sandbox-only applications start with PartnerAlternative-.";
        }

        return null;
    }

    [GeneratedRegex("^(?<prefix>Partner|PartnerAlternative)-(?<country>[A-Z]{2})-(?<org>[A-Za-z0-9]+)-(?<api>[A-Z]+)$")]
    private static partial Regex Pattern();

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex DisallowedNameCharacters();
}
