namespace CredentialPortal.Core.Applications;

public enum ApiEnvironment
{
    Production = 0,
    Sandbox = 1,
}

/// <summary>One API the application may call, in one environment; becomes one OAuth scope.</summary>
public sealed class ApplicationPermission
{
    public const int MaxApiLength = 64;

    public int Id { get; set; }
    public int ApplicationId { get; set; }

    /// <summary>API resource name from <see cref="ApiCatalog"/>, e.g. <c>search-match</c>.</summary>
    public required string Api { get; set; }

    public ApiEnvironment Environment { get; set; }

    /// <summary>The scope value in tokens: the API name, with <c>:sandbox</c> for the sandbox.</summary>
    public string Scope => ApiCatalog.ScopeFor(Api, Environment);
}
