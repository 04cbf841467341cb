using CredentialPortal.Core.Organisations;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Core.Users;

/// <summary>A person who signs in to the portal: an administrator or a credential manager.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    public const int MaxDisplayNameLength = 100;

    public string DisplayName { get; set; } = "";

    /// <summary>Every user belongs to one organisation (administrators to the operating one).</summary>
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;

    /// <summary>A disabled user cannot sign in; an open session ends on its next request.</summary>
    public bool IsDisabled { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? InvitedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }

    /// <summary>
    /// The RFC 6238 time step of the last TOTP code accepted; codes of this step or earlier are refused,
    /// which makes every code single-use (a compare-and-set on this column settles races).
    /// </summary>
    public long LastTotpTimeStep { get; set; }

    public List<CredentialManagerAssignment> ManagedApplications { get; } = [];
}

public sealed class PortalRole : IdentityRole<Guid>
{
    public const string Administrator = "Administrator";

    /// <summary>The role's <c>NormalizedName</c>, the unique key Identity finds it by (queries use it too).</summary>
    public const string AdministratorKey = "ADMINISTRATOR";
}
