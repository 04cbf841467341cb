using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Organisations;

/// <summary>
/// What an organisation may be called: whitespace normalised, unique without regard to case, and able to give the
/// OrganisationName part of the application-name convention (at least one letter or digit survives
/// <see cref="ApplicationName.NamePart"/>).
/// </summary>
public static class OrganisationName
{
    /// <summary>Trims and turns every run of whitespace into one space: "Stichting  Matchis " is "Stichting Matchis".</summary>
    public static string Normalise(string? name) => PlainText.CollapseWhitespace(name);

    /// <summary>The key two names share when they differ only in case or spacing.</summary>
    public static string Key(string name) => Normalise(name).ToUpperInvariant();

    /// <summary>Returns an error message for a (normalised) name no application name can be derived from, or null.</summary>
    public static string? Validate(string name) =>
        ApplicationName.NamePart(name).Length == 0
            ? "The name needs at least one letter or digit (A–Z, 0–9): application names are made from them, e.g. Partner-NL-DemoOrg-DM."
            : null;
}
