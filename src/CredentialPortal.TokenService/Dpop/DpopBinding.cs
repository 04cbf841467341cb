using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.TokenService.Dpop;

/// <summary>
/// Our resource endpoints' side of DPoP (RFC 9449 §7): reads <c>Authorization: DPoP &lt;token&gt;</c>, and holds a token
/// bound to a key (<c>cnf.jkt</c>) to a proof by that key for this very request, with <c>ath</c> the token's hash. A
/// bound token sent as Bearer, or without a proof, or with another key's, is refused; so is an unbound token sent as
/// DPoP (it was never meant to be), while a bearer token sent as Bearer works as before.
/// </summary>
public sealed class DpopBinding(DpopProofValidator proofs, DpopNonces nonces, IOptions<TokenServiceOptions> options)
{
    public const string Scheme = "DPoP";
    public const string ConfirmationClaim = "cnf";
    public const string ThumbprintMember = "jkt";

    private const string SchemePrefix = Scheme + " ";
    private static readonly object UsedDpopScheme = new();
    private static readonly object Refusal = new();

    /// <summary>The token of <c>Authorization: DPoP &lt;token&gt;</c>, remembered for the checks after validation; else null.</summary>
    public static string? TokenFromDpopScheme(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authorization = context.Request.Headers[HeaderNames.Authorization];
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith(SchemePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        context.Items[UsedDpopScheme] = true;
        return value[SchemePrefix.Length..].Trim();
    }

    /// <summary>Whether the request's token came as <c>Authorization: DPoP</c> (its challenges then use that scheme).</summary>
    public static bool SentAsDpop(HttpContext context) => context?.Items.ContainsKey(UsedDpopScheme) == true;

    /// <summary>The key thumbprint a token is bound to (<c>cnf.jkt</c>), or null for a bearer token.</summary>
    public static string? BoundThumbprint(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.FindFirst(ConfirmationClaim)?.Value is not { Length: > 0 } confirmation)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(confirmation);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(ThumbprintMember, out var jkt)
                && jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Checks a validated token against the request's scheme and proof; the refusal is kept for the challenge.</summary>
    public async Task<DpopFailure?> CheckAsync(HttpContext context, ClaimsPrincipal principal, string accessToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(principal);
        var usedDpop = SentAsDpop(context);
        var bound = BoundThumbprint(principal);
        var failure = (bound, usedDpop) switch
        {
            (null, false) => null,
            (null, true) => new DpopFailure("invalid_token", "the access token is not DPoP-bound: send it as Authorization: Bearer"),
            (_, false) => new DpopFailure("invalid_token", "the access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof"),
            _ when !DpopProofValidator.IsPresent(context.Request) => DpopFailure.Invalid("a DPoP proof is required with a DPoP-bound access token"),
            _ => await ProofFailureAsync(context.Request, bound, accessToken),
        };
        if (failure is not null)
        {
            context.Items[Refusal] = failure;
        }
        else if (bound is not null && nonces.Required)
        {
            // RFC 9449 §9: the next nonce with every answer, so that an active client never needs the retry.
            context.Response.Headers[DpopProofValidator.NonceHeaderName] = nonces.Current();
        }

        return failure;
    }

    /// <summary>The DPoP refusal of this request's token, if <see cref="CheckAsync"/> refused it.</summary>
    public static DpopFailure? RefusalOf(HttpContext context) =>
        context?.Items.TryGetValue(Refusal, out var kept) == true ? kept as DpopFailure : null;

    /// <summary>
    /// RFC 9449 §7.1: the <c>WWW-Authenticate</c> value for a refused or missing token, with the accepted algorithms, and
    /// the nonce to retry with; null when neither the scheme nor a refusal was DPoP's (the Bearer challenge applies).
    /// </summary>
    public string? Challenge(HttpContext context, bool tokenRefused, string description)
    {
        ArgumentNullException.ThrowIfNull(context);
        var algs = $"algs=\"{string.Join(' ', proofs.Algorithms)}\"";
        if (RefusalOf(context) is { } failure)
        {
            if (failure.Error == DpopFailure.UseNonce)
            {
                context.Response.Headers[DpopProofValidator.NonceHeaderName] = nonces.Current();
            }

            return $"{Scheme} error=\"{failure.Error}\", error_description=\"{failure.Description}\", {algs}";
        }

        return !tokenRefused ? $"{Scheme} {algs}"
            : SentAsDpop(context) ? $"{Scheme} error=\"invalid_token\", error_description=\"{description}\", {algs}"
            : null;
    }

    private async Task<DpopFailure?> ProofFailureAsync(HttpRequest request, string boundThumbprint, string accessToken)
    {
        var url = TokenIssuer.Resolve(options.Value, request) + request.Path.ToUriComponent();
        var (proof, failure) = await proofs.ValidateAsync(request, url, accessToken);
        return failure ?? (proof!.Thumbprint == boundThumbprint ? null
            : DpopFailure.Invalid("the DPoP proof is signed by another key than the one the access token is bound to"));
    }
}
