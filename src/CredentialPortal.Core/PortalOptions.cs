using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core;

/// <summary>Configuration section <c>Portal</c>.</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string SectionName = "Portal";

    /// <summary>
    /// The portal's public address, used for links in emails and pages, e.g. <c>https://credentials.example.org</c>.
    /// Required outside Development; in Development it defaults to the address the server listens on
    /// (<see cref="IPortalLinks"/>). Empty counts as not set.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Address that receives reminders for applications without any credential manager or notification address;
    /// when it is not set, the enabled administrators' own addresses receive them.
    /// </summary>
    [EmailAddress]
    public string? AdministratorsEmail { get; set; }

    /// <summary>
    /// Whether a user of a partner organisation may be made administrator. Off by default: an administrator administers
    /// every organisation, which a partner's staff should not, so only the operating organisation's users qualify.
    /// </summary>
    public bool AllowPartnerAdministrators { get; set; }

    /// <summary>
    /// Whether the host runs in Development, set at registration from the environment, never from configuration (the
    /// binder sets public properties only): the generated validator has no services to ask.
    /// </summary>
    internal bool IsDevelopment { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(BaseUrl))
        {
            if (!IsDevelopment)
            {
                yield return new ValidationResult("Portal:BaseUrl is required outside Development: set it to the portal's public address, e.g. https://credentials.example.org.");
            }
        }
        else if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult("Portal:BaseUrl must be an absolute http or https address, e.g. https://credentials.example.org.");
        }
    }
}

[OptionsValidator]
internal sealed partial class PortalOptionsValidator : IValidateOptions<PortalOptions>;
