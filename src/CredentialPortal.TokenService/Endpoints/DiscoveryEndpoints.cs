using CredentialPortal.TokenService.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// Authorization server metadata (RFC 8414, also served at the OpenID Connect discovery path that client libraries
/// probe) and the JWKS. Only what this server does is advertised: the token endpoint with client_credentials; there
/// is no authorization endpoint, so <c>response_types_supported</c> is empty.
/// </summary>
public sealed class DiscoveryEndpoints(
    ClientAuthentication.ClientCredentialReader credentials,
    ClientAuthentication.ClientAssertionValidator assertions,
    Dpop.DpopProofValidator dpopProofs,
    SigningKeyCache keys,
    IOptions<TokenServiceOptions> options)
{
    public const string OpenIdConfigurationPath = "/.well-known/openid-configuration";
    public const string AuthorizationServerPath = "/.well-known/oauth-authorization-server";
    public const string JwksPath = "/.well-known/openid-configuration/jwks";

    public Task MetadataAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var issuer = TokenIssuer.Resolve(options.Value, context.Request);
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return OAuthResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteString("issuer", issuer);
            writer.WriteString("token_endpoint", issuer + TokenEndpoint.Path);
            writer.WriteString("jwks_uri", issuer + JwksPath);
            WriteArray(writer, "grant_types_supported", [TokenEndpoint.ClientCredentialsGrant]);
            WriteArray(writer, "token_endpoint_auth_methods_supported", credentials.MethodNames);
            WriteArray(writer, "token_endpoint_auth_signing_alg_values_supported", assertions.Algorithms);
            writer.WriteString("introspection_endpoint", issuer + IntrospectionEndpoint.Path);
            WriteArray(writer, "introspection_endpoint_auth_methods_supported", credentials.MethodNames);
            WriteArray(writer, "introspection_endpoint_auth_signing_alg_values_supported", assertions.Algorithms);
            WriteArray(writer, "scopes_supported", TokenScopes.All);
            WriteArray(writer, "response_types_supported", []);
            WriteArray(writer, "access_token_signing_alg_values_supported", [options.Value.Algorithm]);
            // RFC 9449 §5.1: the token endpoint binds tokens to a proof's key, and our resources check the proofs.
            WriteArray(writer, "dpop_signing_alg_values_supported", dpopProofs.Algorithms);
            writer.WriteString("connectivity_endpoint", issuer + ConnectivityEndpoint.Path);
        }, cacheable: true);
    }

    public async Task JwksAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keySet = await keys.GetAsync(context.RequestAborted);
        // Short enough for relying parties to see a newly published key well before it signs (KeyPublishAheadDays).
        context.Response.Headers.CacheControl = "public, max-age=3600";
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(keySet.Jwks, context.RequestAborted);
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
