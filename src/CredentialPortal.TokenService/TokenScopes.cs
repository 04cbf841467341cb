using CredentialPortal.Core.Applications;

namespace CredentialPortal.TokenService;

/// <summary>The scopes a token can carry: the API resources of <see cref="ApiCatalog"/> and the management API's own.</summary>
public static class TokenScopes
{
    /// <summary>Manage the calling application's own secrets through the management API.</summary>
    public const string CredentialsSelf = "credentials.self";

    /// <summary>Administrators' automation through the management API.</summary>
    public const string CredentialsAdmin = "credentials.admin";

    /// <summary>Scopes of the management API, issued only when requested by name and only for its audience.</summary>
    public static bool IsManagementScope(string scope) => scope is CredentialsSelf or CredentialsAdmin;

    public static IReadOnlyList<string> All { get; } =
    [
        .. ApiCatalog.Resources.SelectMany(r => new[]
        {
            ApiCatalog.ScopeFor(r.Name, ApiEnvironment.Production),
            ApiCatalog.ScopeFor(r.Name, ApiEnvironment.Sandbox),
        }),
        CredentialsSelf,
        CredentialsAdmin,
    ];
}
