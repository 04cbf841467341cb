using CredentialPortal.Testing;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// tests/interop: the scripts that run independent OAuth libraries and servers (node, Debian's python3) and their pinned
/// npm packages, which test.sh installs with <c>npm ci</c>.
/// </summary>
public static class InteropScripts
{
    /// <summary>The folder, once its npm packages are installed; a clear failure (not a skip) when they are not.</summary>
    public static string Folder
    {
        get
        {
            var folder = RepositoryFolder.PathTo("tests", "interop");
            Assert.True(Directory.Exists(Path.Combine(folder, "node_modules")), "tests/interop/node_modules is missing: run `npm ci` there (test.sh does)");
            return folder;
        }
    }
}
