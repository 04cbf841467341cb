using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Setup;

/// <summary>Configuration section <c>Bootstrap</c>: the first administrator, created on an empty database.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>
    /// The first administrator's email address. Required on the first start outside Development; in Development it
    /// defaults to <see cref="DevelopmentAdminEmail"/>, an address for a local trial that receives no mail.
    /// </summary>
    [EmailAddress]
    public string? AdminEmail { get; set; }

    public const string DevelopmentAdminEmail = "admin@localhost";

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
