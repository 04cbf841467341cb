namespace CredentialPortal.Web.SecretScanning;

public static class SecretScanningRegistration
{
    /// <summary>Registers the GitHub alert endpoint and its key cache (settings: <c>SecretScanning</c>, validated with the store's).</summary>
    public static IServiceCollection AddSecretScanning(this IServiceCollection services)
    {
        services.AddSingleton<GitHubPublicKeys>();
        services.AddSingleton<GitHubAlertEndpoint>();
        return services;
    }

    /// <summary>
    /// Maps <see cref="GitHubAlertEndpoint.Path"/>: anonymous (the signature is the authentication) and without antiforgery
    /// (GitHub posts from its servers, with no cookie to protect).
    /// </summary>
    public static IEndpointRouteBuilder MapSecretScanning(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var endpoint = endpoints.ServiceProvider.GetRequiredService<GitHubAlertEndpoint>();
        endpoints.MapPost(GitHubAlertEndpoint.Path, (Delegate)endpoint.HandleAsync).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }
}
