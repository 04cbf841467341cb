namespace CredentialPortal.Testing;

/// <summary>The checkout the tests run from: the documents they check and the folder their artefacts go to.</summary>
public static class RepositoryFolder
{
    /// <summary>The folder holding <c>CredentialPortal.sln</c>, found upwards from the test binaries.</summary>
    public static string Root { get; } = Find();

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CredentialPortal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("CredentialPortal.sln was not found above the test binaries.");
    }
}
