using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Users;

/// <summary>The credential-manager role of one user for one application.</summary>
public sealed class CredentialManagerAssignment
{
    /// <summary>The portal recommends at least this many managers per application.</summary>
    public const int RecommendedMinimum = 2;

    public Guid UserId { get; set; }
    public PortalUser User { get; set; } = null!;

    public int ApplicationId { get; set; }
    public Application Application { get; set; } = null!;

    public DateTime AssignedAt { get; set; }
    public required string AssignedBy { get; set; }
}
