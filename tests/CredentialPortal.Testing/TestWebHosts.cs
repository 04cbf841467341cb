using Microsoft.AspNetCore.Builder;

namespace CredentialPortal.Testing;

/// <summary>The tests' own small servers (a webhook receiver, a partner's API), built like the product's host.</summary>
public static class TestWebHosts
{
    /// <summary>
    /// A slim host that watches no configuration file, as the product does not: each watcher holds one of the user's
    /// inotify instances, which other programs on a developer's machine may have used up.
    /// </summary>
    public static WebApplicationBuilder CreateSlimBuilder() => WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
}
