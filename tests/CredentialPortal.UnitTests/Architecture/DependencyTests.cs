using System.Reflection;
using CredentialPortal.Core.Data;
using CredentialPortal.Reminders;
using CredentialPortal.TokenService;

namespace CredentialPortal.UnitTests.Architecture;

/// <summary>
/// Which project may depend on which (docs/architecture.md), read from the compiled assemblies' references: Core is the
/// domain and the store, free of the web host; the token service and the reminders build on Core, never on the portal.
/// </summary>
public sealed class DependencyTests
{
    /// <summary>The web host: the server, its HTTP abstractions, routing, MVC and Razor Pages.</summary>
    private static readonly string[] WebHost =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Server", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Razor",
    ];

    [Fact]
    public void Core_references_neither_the_web_host_nor_any_other_project_of_the_portal()
    {
        var references = ReferencesOf(typeof(CredentialPortalDbContext).Assembly);

        Assert.DoesNotContain(references, r => WebHost.Any(prefix => IsOrUnder(r, prefix)));
        Assert.DoesNotContain(references, r => r.StartsWith("CredentialPortal.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_service_does_not_reference_the_portal()
    {
        var references = ReferencesOf(typeof(TokenIssuer).Assembly);

        Assert.Contains("CredentialPortal.Core", references);
        Assert.DoesNotContain("CredentialPortal.Web", references);
        Assert.DoesNotContain("CredentialPortal.Reminders", references);
    }

    [Fact]
    public void The_reminders_reference_neither_the_portal_nor_the_web_host()
    {
        var references = ReferencesOf(typeof(ReminderPass).Assembly);

        Assert.Contains("CredentialPortal.Core", references);
        Assert.DoesNotContain("CredentialPortal.Web", references);
        Assert.DoesNotContain("CredentialPortal.TokenService", references);
        Assert.DoesNotContain(references, r => WebHost.Any(prefix => IsOrUnder(r, prefix)));
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Http.Abstractions", true)]
    [InlineData("Microsoft.AspNetCore.Hosting.Server.Abstractions", true)]
    [InlineData("Microsoft.AspNetCore.Http", true)]
    [InlineData("Microsoft.AspNetCore.HttpOverrides", false)]
    [InlineData("Microsoft.AspNetCore.DataProtection", false)]
    [InlineData("Microsoft.AspNetCore.Identity", false)]
    public void The_web_host_is_recognised_by_assembly_name(string assembly, bool webHost) =>
        Assert.Equal(webHost, WebHost.Any(prefix => IsOrUnder(assembly, prefix)));

    private static bool IsOrUnder(string assembly, string prefix) =>
        assembly == prefix || assembly.StartsWith(prefix + ".", StringComparison.Ordinal);

    private static List<string> ReferencesOf(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];
}
