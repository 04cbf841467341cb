using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CredentialPortal.TokenService.Signing;

/// <summary>
/// JwtBearer's configuration source for our own tokens: the keys <see cref="SigningKeyCache"/> currently publishes,
/// asked for on every validation (the store caches and rotates them; no database call per request). One configuration
/// object is built per key set.
/// </summary>
public sealed class SigningKeyConfiguration(SigningKeyCache store) : IConfigurationManager<OpenIdConnectConfiguration>
{
    private Built? _current;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var keys = await store.GetAsync(cancel);
        if (_current is { } current && ReferenceEquals(current.Keys, keys))
        {
            return current.Configuration;
        }

        var configuration = new OpenIdConnectConfiguration();
        foreach (var key in keys.Published)
        {
            configuration.SigningKeys.Add(key);
        }

        _current = new Built(keys, configuration);
        return configuration;
    }

    /// <summary>
    /// JwtBearer asks for this when a token names a key it does not know. The store rereads on its own schedule and
    /// publishes keys days before they sign, so an unknown <c>kid</c> is refused without costing a database read.
    /// </summary>
    public void RequestRefresh()
    {
    }

    private sealed record Built(KeySet Keys, OpenIdConnectConfiguration Configuration);
}
