using System.Buffers;
using System.Text;
using System.Text.Json;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Signing;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CredentialPortal.TokenService.Issuance;

/// <summary>
/// Builds and signs RFC 9068 JWT access tokens (<c>typ: at+jwt</c>) with the current signing key. Besides the
/// registered claims a token carries <c>client_id</c>, <c>scope</c> and the private claim
/// <see cref="AccessTokenAuthentication.CredentialIdClaim"/>; a DPoP-bound token also <c>cnf.jkt</c> (RFC 9449 §6.1).
/// </summary>
public sealed class AccessTokenFactory(SigningKeyCache keys, IOptions<TokenServiceOptions> options, TimeProvider time)
{
    private static readonly Dictionary<string, object> HeaderClaims = new(StringComparer.Ordinal) { ["typ"] = "at+jwt" };

    private readonly TokenServiceOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public int LifetimeSeconds => _options.LifetimeSeconds;

    public async Task<string> CreateAsync(string issuer, AuthenticatedClient authenticated, TokenGrant grant, string? boundKeyThumbprint,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticated);
        ArgumentNullException.ThrowIfNull(grant);
        var keySet = await keys.GetAsync(cancellationToken);
        var payload = Payload(issuer, authenticated, grant, boundKeyThumbprint, time.GetUtcNow().ToUnixTimeSeconds());
        return _handler.CreateToken(payload, keySet.Signing, HeaderClaims);
    }

    private string Payload(string issuer, AuthenticatedClient authenticated, TokenGrant grant, string? boundKeyThumbprint, long issuedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", issuer);
            writer.WriteString("sub", authenticated.Client.ClientId);
            writer.WriteString(AccessTokenAuthentication.ClientIdClaim, authenticated.Client.ClientId);
            writer.WriteNumber(AccessTokenAuthentication.CredentialIdClaim, authenticated.Credential.Id);
            Endpoints.OAuthResponses.WriteStringOrArray(writer, "aud", grant.Audiences);

            writer.WriteNumber("iat", issuedAt);
            writer.WriteNumber("nbf", issuedAt);
            writer.WriteNumber("exp", issuedAt + _options.LifetimeSeconds);
            writer.WriteString("jti", Guid.NewGuid().ToString("N"));
            writer.WriteString(AccessTokenAuthentication.ScopeClaim, grant.Scope);
            if (boundKeyThumbprint is not null)
            {
                writer.WriteStartObject(Dpop.DpopBinding.ConfirmationClaim);
                writer.WriteString(Dpop.DpopBinding.ThumbprintMember, boundKeyThumbprint);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
