using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.UnitTests.Users;

public sealed class PortalRoleTests
{
    [Fact]
    public void The_administrator_key_is_what_Identity_normalizes_the_role_name_to()
    {
        Assert.Equal(PortalRole.AdministratorKey, new UpperInvariantLookupNormalizer().NormalizeName(PortalRole.Administrator));
    }
}
