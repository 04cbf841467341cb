using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Web.Hosting;

public static class IdentitySetup
{
    public const int MinimumPasswordLength = 12;
    public const int MaximumPasswordLength = 128;

    /// <summary>ASP.NET Core Identity from the shared framework over our EF user and role stores.</summary>
    public static WebApplicationBuilder AddPortalIdentity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddIdentityCore<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Length over composition (NIST SP 800-63B): no character-class rules.
                options.Password.RequiredLength = MinimumPasswordLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<PortalRole>()
            .AddUserStore<UserStore>()
            .AddRoleStore<RoleStore>()
            .AddDefaultTokenProviders();
        return builder;
    }
}
