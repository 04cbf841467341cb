using CredentialPortal.TokenService.Clients;
using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// <c>GET /connectivity</c>: the partners' "confirm connectivity" step. Answers who the bearer token belongs to and
/// what it allows; an invalid token gets RFC 6750 §3.1 <c>invalid_token</c>.
/// </summary>
public sealed class ConnectivityEndpoint(AccessTokenValidator validator, ClientCache clients)
{
    public const string Path = "/connectivity";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (status, caller) = await validator.ValidateRequestAsync(context.Request);
        if (status == BearerStatus.Missing)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, OAuthErrors.InvalidRequest,
                "a bearer access token from the token endpoint is required");
            return;
        }

        if (caller is null)
        {
            const string description = "the access token is invalid, expired or not issued by this service";
            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{description}\"";
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_token", description);
            return;
        }

        var client = await clients.FindAsync(caller.ClientId, context.RequestAborted);
        await OAuthResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteString("client_id", caller.ClientId);
            writer.WriteString("application", client?.Name);
            writer.WriteStartArray("scopes");
            foreach (var scope in caller.Scopes)
            {
                writer.WriteStringValue(scope);
            }

            writer.WriteEndArray();
            writer.WriteString("expires_at", caller.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        });
    }
}
