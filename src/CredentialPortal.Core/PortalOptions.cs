using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.Core;

/// <summary>Configuration section <c>Portal</c>.</summary>
public sealed class PortalOptions
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
}
