using System.Security.Cryptography;
using CredentialPortal.Core.Secrets;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>An application that proved its identity with one of its credentials.</summary>
public sealed record AuthenticatedClient(CachedClient Client, CachedSecret Credential);

/// <summary>
/// Checks presented credentials against the client cache (no database round trip for a known client), throttles and
/// audits failures. The answer says why only once the presented secret matched: anything else is "authentication
/// failed", so a caller learns nothing about client_ids or secrets it does not hold.
/// </summary>
public sealed class ClientAuthenticator(
    ClientCache clients,
    FailedAuthenticationThrottle throttle,
    AuthenticationFailureAudit failureAudit,
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
        var client = addressBlocked is null && wellFormed ? await clients.FindAsync(presented.ClientId, context.RequestAborted) : null;
        var matched = client is null ? null : Match(client, presented.Secret);

        var status = matched?.StatusAt(now);
        var (reason, description) =
            addressBlocked is not null ? ("blocked_address", GenericFailure)
            : !wellFormed ? ("malformed_client_id", GenericFailure)
            : client is null ? ("unknown_client", GenericFailure)
            : matched is null ? ("wrong_secret", GenericFailure)
            : status == SecretStatus.Disabled ? ("disabled_secret", "the client secret is disabled")
            : status == SecretStatus.Expired ? ("expired_secret", "the client secret has expired")
            : !client.ApplicationActive ? ("inactive_application", "the application is inactive")
            : !client.OrganisationActive ? ("inactive_organisation", "the application's organisation is inactive")
            : (null, null);
        if (reason is null)
        {
            // The request log line names the authenticated client (never what it presented).
            context.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ClientId", client!.ClientId);
            return (new AuthenticatedClient(client!, matched!), null);
        }

        // A malformed id is audited under one name: it may be long or hold characters the audit table cannot store.
        failureAudit.Record(wellFormed ? presented.ClientId : MalformedClientId, reason, address?.ToString(),
            client?.ApplicationId, client?.OrganisationId);
        return (addressBlocked ?? throttle.RecordFailure(wellFormed ? presented.ClientId : null, addressKey)) is { } blocked
            ? (null, OAuthError.SlowDown(
                "too many failed authentication attempts for this client_id or from this address; retry later", blocked))
            : (null, OAuthError.InvalidClient(description!, presented.UsedBasic));
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
