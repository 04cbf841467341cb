using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Federation;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>An application that proved its identity with one of its credentials (a secret, a key or a federated identity).</summary>
public sealed record AuthenticatedClient(CachedClient Client, CachedCredential Credential);

/// <summary>
/// Checks presented credentials against the client cache (no database round trip for a known client), throttles and
/// audits failures. The answer says why only once the presented secret matched (or the assertion's signature
/// verified): anything else is "authentication failed", so a caller learns nothing about client_ids or credentials it
/// does not hold. An accepted client assertion is then recorded as used (<see cref="AssertionReplayStore"/>).
/// </summary>
public sealed class ClientAuthenticator(
    ClientCache clients,
    ClientAssertionValidator assertions,
    FederatedAssertionValidator federatedAssertions,
    AssertionReplayStore replays,
    FailedAuthenticationThrottle throttle,
    AuthenticationFailureAudit failureAudit,
    UsageCounter usage,
    TimeProvider time)
{
    /// <summary>The audit log's actor for failures with a client_id that cannot exist.</summary>
    public const string MalformedClientId = "(malformed client_id)";

    private const string GenericFailure = "client authentication failed";

    public async Task<(AuthenticatedClient? Client, OAuthError? Error)> AuthenticateAsync(HttpContext context, PresentedCredentials presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(presented);
        var now = time.GetUtcNow().UtcDateTime;
        var address = context.Connection.RemoteIpAddress;
        var addressKey = ClientAddress.PartitionKey(address);
        // Neither an address that keeps failing nor an id that cannot exist gets a lookup: made-up ids that miss the
        // cache would each cost a database round trip.
        var addressBlocked = throttle.AddressBlockedFor(addressKey);
        var wellFormed = SecretGenerator.IsWellFormedClientId(presented.ClientId);
        // A recognisable secret whose checksum fails was mistyped, truncated or made up: no secret can match it.
        var checksumFails = presented.Secret is { } secret && SecretFormat.IsRecognisable(secret) && !SecretFormat.ChecksumMatches(secret);
        var client = addressBlocked is null && wellFormed && !checksumFails ? await clients.FindAsync(presented.ClientId, context.RequestAborted) : null;
        // A signature check costs CPU that anyone who knows a client_id can make us spend: none while the id is blocked.
        // (A secret is checked all the same: a hash comparison costs nothing, and the client's own requests get through.)
        var clientBlocked = client is not null && presented.Assertion is not null ? throttle.ClientIdBlockedFor(client.ClientId) : null;
        AssertionCheck? assertion = null;
        CachedCredential? matched = null;
        if (client is not null && clientBlocked is null)
        {
            (assertion, matched) = await MatchAsync(client, presented, context.Request);
            if (matched is null && assertion is null or { NoCredentialFits: true }
                && await clients.RefreshAsync(client, context.RequestAborted) is var refreshed && refreshed != client)
            {
                // A credential created a moment ago on another instance: this one has not read the change log yet.
                client = refreshed;
                (assertion, matched) = client is null ? (null, null) : await MatchAsync(client, presented, context.Request);
            }
        }

        var status = matched?.StatusAt(now);
        var words = matched?.Kind.Words();
        var noun = words?.FullNoun;
        var (reason, description) =
            addressBlocked is not null ? ("blocked_address", GenericFailure)
            : !wellFormed ? ("malformed_client_id", GenericFailure)
            : checksumFails ? ("wrong_checksum", "the client secret's checksum does not match: it was mistyped or cut short")
            : client is null ? ("unknown_client", GenericFailure)
            : clientBlocked is not null ? ("blocked_client", GenericFailure)
            : assertion is { Reason: { } assertionReason } ? (assertionReason, assertion.Description!)
            : matched is null ? ("wrong_secret", GenericFailure)
            : status == CredentialStatus.Disabled && matched is CachedSecret { Leaked: true } ? ("leaked_secret",
                "the client secret is disabled because it was found in public: create a new secret and delete this one")
            : status == CredentialStatus.Disabled ? ($"disabled_{words!.ReasonNoun}", $"the {noun} is disabled")
            : status == CredentialStatus.Expired ? ($"expired_{words!.ReasonNoun}", $"the {noun} has expired")
            : !client.AllowedKinds.Allows(matched.Kind) ? ($"{words!.PluralReasonNoun}_not_allowed",
                $"this application may not authenticate with a {noun}: its authentication policy is \"{client.AllowedKinds.Describe()}\"")
            : !client.ApplicationActive ? ("inactive_application", "the application is inactive")
            : !client.OrganisationActive ? ("inactive_organisation", "the application's organisation is inactive")
            : (null, null);
        // Last, once everything else holds: a refused assertion must not use up its jti. An external token without a jti
        // to keep is reusable until it expires (TokenService:Federation:SingleUse off).
        if (reason is null && assertion is { Jti: not null }
            && !await replays.TryUseAsync(client!.ClientId, assertion.Jti!, assertion.ExpiresAt, context.RequestAborted))
        {
            (reason, description) = ("assertion_replayed", "the client_assertion was used before: every assertion needs a new jti");
        }

        if (reason is null)
        {
            // The request log line names the authenticated client (never what it presented).
            context.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ClientId", client!.ClientId);
            return (new AuthenticatedClient(client!, matched!), null);
        }

        // A malformed id is audited under one name: it may be long or hold characters the audit table cannot store.
        failureAudit.Record(wellFormed ? presented.ClientId : MalformedClientId, reason, address?.ToString(),
            client?.ApplicationId, client?.OrganisationId);
        if (client is not null)
        {
            // Only a known application's: made-up client_ids would otherwise grow the counts without bound.
            usage.AuthenticationFailed(client.ApplicationId, reason, now);
        }

        return (addressBlocked ?? clientBlocked ?? throttle.RecordFailure(wellFormed ? presented.ClientId : null, addressKey)) is { } blocked
            ? (null, OAuthError.SlowDown(
                "too many failed authentication attempts for this client_id or from this address; retry later", blocked))
            : (null, OAuthError.InvalidClient(description!, presented.UsedBasic));
    }

    private async Task<(AssertionCheck? Assertion, CachedCredential? Matched)> MatchAsync(CachedClient client, PresentedCredentials presented, HttpRequest request)
    {
        if (presented.Assertion is not { } token)
        {
            return (null, Match(client, presented.Secret));
        }

        var assertion = presented.Method == PrivateKeyJwt.FederatedMethod
            ? await federatedAssertions.CheckAsync(client, token, request.HttpContext.RequestAborted)
            : await assertions.CheckAsync(client, token, request);
        return (assertion, assertion.Credential);
    }

    /// <summary>Compares the presented secret's hash with every secret's, in constant time, so timing tells nothing.</summary>
    private static CachedSecret? Match(CachedClient client, string presentedSecret)
    {
        var hash = SecretGenerator.Hash(presentedSecret);
        CachedSecret? matched = null;
        foreach (var candidate in client.Secrets)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.Hash))
            {
                matched = candidate;
            }
        }

        return matched;
    }
}
