using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>A federated identity as a partner describes it, from the portal's form or the management API.</summary>
public sealed record FederatedIdentityInput(
    string? Name,
    string? Issuer,
    string? Subject,
    string? Audience,
    IReadOnlyDictionary<string, string>? Claims,
    DateTime? ReviewBy);

/// <summary>
/// Adds federated identities with the rules of secrets and keys — name, the application's policy and credential limit,
/// a review date (the kind's expiry, optional here) of at most one year — plus its own: a trusted issuer, a subject, one
/// audience, extra claims that are not the ones checked anyway. Disable, enable and delete are <see cref="CredentialLifecycle"/>'s.
/// </summary>
public sealed class FederatedIdentityManagement(CredentialPortalDbContext db, CredentialLifecycle lifecycle, TrustedIssuerList trustedIssuers,
    TimeProvider time)
{
    public const string NameField = "Name";
    public const string IssuerField = "Issuer";
    public const string SubjectField = "Subject";
    public const string AudienceField = "Audience";
    public const string ClaimsField = "Claims";
    public const string ReviewField = "ReviewBy";
    public const int MaxClaimNameLength = 100;

    /// <summary>Claims every external token is checked for anyway, or that change with each token: not extra claims.</summary>
    public static readonly IReadOnlySet<string> ReservedClaims = new HashSet<string>(StringComparer.Ordinal) { "iss", "sub", "aud", "exp", "nbf", "iat", "jti" };

    /// <summary>
    /// Adds the federated identity; an absent audience is <paramref name="defaultAudience"/> (this token service's issuer
    /// identifier). Throws <see cref="DbUpdateConcurrencyException"/> when the application changed meanwhile.
    /// </summary>
    public async Task<FieldResult<FederatedIdentity>> AddAsync(Application application, FederatedIdentityInput input, string defaultAudience,
        AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        var (name, nameError) = CredentialRules.ValidateName(input.Name, CredentialKind.FederatedIdentity);
        if (nameError is not null)
        {
            return FieldResult.Refused<FederatedIdentity>(NameField, nameError);
        }

        var issuer = input.Issuer?.Trim();
        if (!await trustedIssuers.IsTrustedAsync(issuer, cancellationToken))
        {
            var trusted = (await trustedIssuers.ListAsync(cancellationToken)).Select(i => i.Issuer).ToList();
            return FieldResult.Refused<FederatedIdentity>(IssuerField, trusted.Count == 0
                ? "No issuer is trusted yet: an administrator lists the issuers partners may federate with first."
                : $"Choose one of the trusted issuers: {string.Join(", ", trusted)}.");
        }

        if (TextError(input.Subject, "subject", FederatedIdentity.MaxSubjectLength) is { } subjectError)
        {
            return FieldResult.Refused<FederatedIdentity>(SubjectField, subjectError);
        }

        var audience = string.IsNullOrWhiteSpace(input.Audience) ? defaultAudience : input.Audience.Trim();
        if (TextError(audience, "audience", FederatedIdentity.MaxAudienceLength) is { } audienceError)
        {
            return FieldResult.Refused<FederatedIdentity>(AudienceField, audienceError);
        }

        var (claims, claimsError) = ValidateClaims(input.Claims);
        if (claimsError is not null)
        {
            return FieldResult.Refused<FederatedIdentity>(ClaimsField, claimsError);
        }

        if (input.ReviewBy is { } reviewBy && CredentialExpiryPolicy.Validate(CredentialKind.FederatedIdentity, reviewBy, now) is { } reviewError)
        {
            return FieldResult.Refused<FederatedIdentity>(ReviewField, reviewError.Replace("expiry date", "review date", StringComparison.Ordinal));
        }

        if (await CredentialRules.RefusalToCreateAsync(db, application, CredentialKind.FederatedIdentity, cancellationToken) is { } refusal)
        {
            return FieldResult.Refused<FederatedIdentity>(NameField, refusal);
        }

        var subject = input.Subject!.Trim();
        if (await db.FederatedIdentities.AnyAsync(f => f.ApplicationId == application.Id && f.Issuer == issuer && f.Subject == subject
                && f.Audience == audience && f.Claims == claims, cancellationToken))
        {
            return FieldResult.Refused<FederatedIdentity>(SubjectField, "This application already has a federated identity with this issuer, subject, audience and claims.");
        }

        var added = new FederatedIdentity
        {
            ApplicationId = application.Id,
            Name = name!,
            Hint = FederatedIdentity.HintOf(subject),
            Issuer = issuer!,
            Subject = subject,
            Audience = audience,
            Claims = claims,
            CreatedAt = now,
            CreatedBy = actor.Name,
            ExpiresAt = input.ReviewBy ?? FederatedIdentity.NoReviewDate,
        };
        await lifecycle.AddAsync(application, added, actor, cancellationToken);
        return FieldResult.Done(added);
    }

    private static string? TextError(string? value, string what, int maxLength)
    {
        value = value?.Trim();
        return string.IsNullOrEmpty(value) ? $"Enter the {what} the external token carries."
            : PlainText.HasControlCharacters(value) ? $"The {what} {PlainText.ErrorMessage}."
            : value.Length > maxLength ? $"The {what} can be at most {maxLength} characters."
            : null;
    }

    /// <summary>The claims as stored (JSON, null when none), or why they are not acceptable.</summary>
    private static (string? Json, string? Error) ValidateClaims(IReadOnlyDictionary<string, string>? claims)
    {
        if (claims is null || claims.Count == 0)
        {
            return (null, null);
        }

        if (claims.Count > FederatedIdentity.MaxClaims)
        {
            return (null, $"At most {FederatedIdentity.MaxClaims} extra claims.");
        }

        var trimmed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in claims)
        {
            var claim = name?.Trim() ?? "";
            if (claim.Length is 0 or > MaxClaimNameLength || PlainText.HasControlCharacters(claim) || claim.Contains(' ', StringComparison.Ordinal))
            {
                return (null, $"A claim's name is 1 to {MaxClaimNameLength} characters without spaces.");
            }

            if (ReservedClaims.Contains(claim))
            {
                return (null, $"{claim} is checked anyway (or changes with every token): it cannot be an extra claim.");
            }

            if (TextError(value, $"value of {claim}", FederatedIdentity.MaxSubjectLength) is { } valueError)
            {
                return (null, valueError);
            }

            if (!trimmed.TryAdd(claim, value.Trim()))
            {
                return (null, $"The claim {claim} is listed twice.");
            }
        }

        var json = FederatedIdentity.SerializeClaims(trimmed);
        return json!.Length > FederatedIdentity.MaxClaimsLength
            ? (null, $"The extra claims can be at most {FederatedIdentity.MaxClaimsLength} characters together.")
            : (json, null);
    }
}
