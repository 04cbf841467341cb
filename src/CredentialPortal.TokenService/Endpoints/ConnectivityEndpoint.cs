using System.Globalization;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Clients;
using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// <c>GET /connectivity</c>: the partners' "confirm connectivity" step. Answers who the bearer token belongs to and
/// what it allows, and which kind of credential obtained it (<c>credential_kind</c>: <c>secret</c>, <c>key</c> or
/// <c>federated</c>), so a partner moving to a federated identity sees that the new way is the one in use; the
/// <see cref="AccessTokenAuthentication"/> scheme has already refused a missing or invalid token.
/// </summary>
public sealed class ConnectivityEndpoint(ClientCache clients)
{
    public const string Path = "/connectivity";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clientId = context.User.FindFirst(AccessTokenAuthentication.ClientIdClaim)!.Value;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(context.User.FindFirst("exp")!.Value, CultureInfo.InvariantCulture));
        var client = await clients.FindAsync(clientId, context.RequestAborted);
        await OAuthResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteString("client_id", clientId);
            writer.WriteString("application", client?.Name);
            writer.WriteStartArray("scopes");
            foreach (var scope in AccessTokenAuthentication.ScopesOf(context.User))
            {
                writer.WriteStringValue(scope);
            }

            writer.WriteEndArray();
            writer.WriteString("expires_at", expiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            if (int.TryParse(context.User.FindFirst(AccessTokenAuthentication.CredentialIdClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture,
                    out var credentialId) && client?.Credential(credentialId) is { } credential)
            {
                writer.WriteString("credential_kind", credential.Kind switch
                {
                    CredentialKind.Key => "key",
                    CredentialKind.FederatedIdentity => ClientAuthentication.PrivateKeyJwt.FederatedMethod,
                    _ => "secret",
                });
            }
        });
    }
}
