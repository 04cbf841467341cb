using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>
/// <c>private_key_jwt</c> (RFC 7523 §2.2, OpenID Connect Core §9): <c>client_assertion_type</c>
/// <c>urn:ietf:params:oauth:client-assertion-type:jwt-bearer</c> and a <c>client_assertion</c> JWT signed with the
/// client's private key. This reads the JWT and names the client (<c>sub</c>); <see cref="ClientAssertionValidator"/>
/// checks it against the client's keys. The same parameters carry a federated identity's external token (Entra ID's and
/// Keycloak's convention): its <c>iss</c> is the partner's platform, not the client, so <c>client_id</c> names the client
/// and the method is <see cref="FederatedMethod"/>, which <c>Federation/FederatedAssertionValidator</c> checks.
/// </summary>
public sealed class PrivateKeyJwt(IOptions<TokenServiceOptions> options) : IClientAuthenticationMethod
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>How a request with an external token authenticated, in metrics, the audit and <c>/connectivity</c>.</summary>
    public const string FederatedMethod = "federated";

    public string Name => "private_key_jwt";

    public bool IsUsedBy(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form["client_assertion"] is not null || form["client_assertion_type"] is not null;
    }

    public (PresentedCredentials? Credentials, OAuthError? Error) Read(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (form["client_assertion_type"] != AssertionType)
        {
            return Fail($"client_assertion_type must be {AssertionType}");
        }

        if (form["client_assertion"] is not { Length: > 0 } assertion)
        {
            return Fail("client_assertion is required with client_assertion_type");
        }

        var maxLength = options.Value.ClientAssertion.MaxAssertionLength;
        if (assertion.Length > maxLength)
        {
            return Fail($"the client_assertion is longer than {maxLength} characters");
        }

        if (!_handler.CanReadToken(assertion))
        {
            return Fail("the client_assertion is not a signed JWT (three base64url parts separated by '.')");
        }

        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            return Fail("the client_assertion is not a readable JWT");
        }

        // RFC 7523 §3: sub is the client_id (iss must equal it too, which validation checks).
        if (!token.TryGetPayloadValue<string>("sub", out var subject) || string.IsNullOrEmpty(subject))
        {
            return Fail("the client_assertion has no sub: it must be the client_id");
        }

        // An issuer URL other than the subject: a token the partner's platform issued, for a federated identity of client_id.
        // (An iss that is no URL stays a private_key_jwt assertion, whose validation says iss must be the client_id.)
        if (token.TryGetPayloadValue<string>("iss", out var issuer) && issuer != subject && TrustedIssuerRules.Normalize(issuer) is not null)
        {
            return form["client_id"] is { Length: > 0 } clientId
                ? (new PresentedCredentials(clientId, "", FederatedMethod, UsedBasic: false) { Assertion = token }, null)
                : Fail("a client_assertion issued by another issuer (a federated identity's token) needs client_id in the body");
        }

        if (form["client_id"] is { } bodyId && bodyId != subject)
        {
            return (null, OAuthError.InvalidRequest("client_id in the body differs from the client_assertion's sub"));
        }

        return (new PresentedCredentials(subject, "", Name, UsedBasic: false) { Assertion = token }, null);
    }

    private static (PresentedCredentials?, OAuthError?) Fail(string description) =>
        (null, OAuthError.InvalidClient(description, basicChallenge: false));
}
