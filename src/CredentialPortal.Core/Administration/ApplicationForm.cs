using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Core.Administration;

/// <summary>What an administrator enters to create or change an application (the edit page binds it as <c>Input</c>).</summary>
public sealed class ApplicationForm
{
    public const int MaxCredentialLimit = 100;

    [Range(1, int.MaxValue, ErrorMessage = "Choose the organisation.")]
    public int OrganisationId { get; set; }

    [Required(ErrorMessage = "Choose the API.")]
    public string ApiCode { get; set; } = "";

    public bool IsSandboxOnly { get; set; }

    /// <summary>Left empty on creation, the conventional name is proposed from organisation and API.</summary>
    [StringLength(Application.MaxNameLength)]
    [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
    public string? Name { get; set; }

    /// <summary>Permissions as <c>{resource}|{environment}</c>, e.g. <c>data-manager|Sandbox</c>.</summary>
    public List<string> Permissions { get; set; } = [];

    public bool IsActive { get; set; } = true;

    [Range(1, MaxCredentialLimit, ErrorMessage = "The credential limit must be between {1} and {2}.")]
    public int CredentialLimit { get; set; } = Application.DefaultCredentialLimit;

    public bool AllowSelfRotation { get; set; }

    public bool IsAdminAutomationClient { get; set; }

    public bool IsResourceServer { get; set; }

    /// <summary>One audience per line; empty for the partner APIs' audiences.</summary>
    [StringLength(Application.MaxIntrospectionAudiencesLength)]
    public string? IntrospectionAudiences { get; set; }

    /// <summary>The kinds of credential that obtain tokens: one of <see cref="AuthenticationPolicies.Choices"/>.</summary>
    public AllowedKinds AllowedKinds { get; set; } = AllowedKinds.All;

    public bool RequireDpop { get; set; }

    /// <summary>The policy's warning was shown and the administrator saves anyway.</summary>
    public bool ConfirmPolicyChange { get; set; }

    /// <summary>One address per line (commas work too).</summary>
    [StringLength(Application.MaxNotificationEmailsLength)]
    public string? NotificationEmails { get; set; }

    public bool CreateFirstSecret { get; set; }

    [StringLength(ClientSecret.MaxNameLength, ErrorMessage = "The name can be at most {1} characters.")]
    [PlainText(ErrorMessage = "The name of the first secret " + PlainText.ErrorMessage + ".")]
    public string? FirstSecretName { get; set; }

    [DataType(DataType.Date)]
    public DateOnly? FirstSecretExpiry { get; set; }

    public Guid Version { get; set; }

    public static string PermissionValue(string resource, ApiEnvironment environment) => $"{resource}|{environment}";

    /// <summary>The form as the application stands, for editing.</summary>
    public static ApplicationForm Of(Application application)
    {
        ArgumentNullException.ThrowIfNull(application);
        return new ApplicationForm
        {
            OrganisationId = application.OrganisationId,
            ApiCode = application.ApiCode,
            IsSandboxOnly = application.IsSandboxOnly,
            Name = application.Name,
            Permissions = application.Permissions.Select(p => PermissionValue(p.Api, p.Environment)).ToList(),
            IsActive = application.IsActive,
            CredentialLimit = application.CredentialLimit,
            AllowSelfRotation = application.AllowSelfRotation,
            IsAdminAutomationClient = application.IsAdminAutomationClient,
            IsResourceServer = application.IsResourceServer,
            IntrospectionAudiences = string.Join('\n', application.IntrospectionAudiences),
            AllowedKinds = application.AllowedKinds,
            RequireDpop = application.RequireDpop,
            NotificationEmails = string.Join('\n', application.NotificationEmails),
            Version = application.Version,
        };
    }
}
