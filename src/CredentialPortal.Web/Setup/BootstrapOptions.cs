using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Setup;

/// <summary>Configuration section <c>Bootstrap</c>: the first administrator, created on an empty database.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    [Required, EmailAddress]
    public string AdminEmail { get; set; } = "admin@localhost";

    /// <summary>When empty, a password is generated and printed once to the console.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>The operating organisation the first administrator belongs to.</summary>
    [Required, StringLength(100)]
    public string OrganisationName { get; set; } = "Operator";

    [Required, RegularExpression("^[A-Z]{2}$")]
    public string OrganisationCountry { get; set; } = "NL";
}

[OptionsValidator]
internal sealed partial class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>;
