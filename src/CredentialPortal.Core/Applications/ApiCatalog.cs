using System.Collections.Frozen;

namespace CredentialPortal.Core.Applications;

/// <summary>The APIs an application can be registered for and the resources (scopes) behind them.</summary>
public static class ApiCatalog
{
    public const string SandboxSuffix = ":sandbox";

    public sealed record Api(string Code, string DisplayName, IReadOnlyList<string> Resources);

    public sealed record Resource(string Name, string DisplayName);

    public static IReadOnlyList<Api> Apis { get; } =
    [
        new("DM", "Data Manager", ["data-manager"]),
        new("SMC", "Search, Match & Connect", ["search-match", "match-connect"]),
    ];

    public static IReadOnlyList<Resource> Resources { get; } =
    [
        new("search-match", "Search and Match"),
        new("match-connect", "Match-Connect"),
        new("data-manager", "Data Manager"),
    ];

    private static readonly FrozenDictionary<string, Api> ApisByCode =
        Apis.ToFrozenDictionary(a => a.Code, StringComparer.Ordinal);

    private static readonly FrozenSet<string> ResourceNames =
        Resources.Select(r => r.Name).ToFrozenSet(StringComparer.Ordinal);

    public static Api? FindApi(string code) => ApisByCode.GetValueOrDefault(code);

    public static bool IsResource(string name) => ResourceNames.Contains(name);

    /// <summary>Whether an application registered for the API may hold a permission on the resource: only the API's own.</summary>
    public static bool Allows(string apiCode, string resource) => FindApi(apiCode)?.Resources.Contains(resource) == true;

    public static string DisplayNameOf(string resource) => Resources.FirstOrDefault(r => r.Name == resource)?.DisplayName ?? resource;

    public static string ScopeFor(string resource, ApiEnvironment environment) =>
        environment == ApiEnvironment.Sandbox ? resource + SandboxSuffix : resource;
}
