using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Add a federated identity: a workload of the partner's platform (GitHub Actions, Kubernetes, any OIDC issuer) whose
/// tokens count as the application. A preset is a link that fills the form (no script needed); every rule is
/// <see cref="FederatedIdentityManagement"/>'s.
/// </summary>
public sealed class NewFederatedIdentityModel(CredentialPortalDbContext db, ManagedApplications access, FederatedIdentityManagement identities, TrustedIssuerList trustedIssuers,
    IOptions<TokenServiceOptions> tokenService, TimeProvider time) : NewCredentialPage(db, access, time, CredentialKind.FederatedIdentity)
{
    public const string GitHubActionsIssuer = "https://token.actions.githubusercontent.com";

    /// <summary>What a preset fills in: the issuer when it is a well-known one, the subject's pattern, the claims' example.</summary>
    public sealed record Preset(string Key, string Label, string? Issuer, string SubjectPattern, string ClaimsExample, string Explanation);

    public static IReadOnlyList<Preset> Presets { get; } =
    [
        new("github", "GitHub Actions", GitHubActionsIssuer, "repo:OWNER/REPO:ref:refs/heads/BRANCH",
            "repository_owner_id=123456",
            "A workflow with permissions: id-token: write. The subject names the repository and the branch (or repo:OWNER/REPO:environment:NAME for an environment); pin the owner's numeric id as an extra claim, since names can be re-registered."),
        new("kubernetes", "Kubernetes", null, "system:serviceaccount:NAMESPACE:NAME", "",
            "A pod with a projected service-account token whose audience is this service. Choose your cluster's issuer (its service-account issuer URL, which an administrator trusts)."),
        new("oidc", "Any OIDC issuer", null, "", "",
            "A token from your own OAuth or OpenID Connect server: its iss must be a trusted issuer, its sub the subject below."),
    ];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a name for the federated identity.")]
        [StringLength(ClientCredential.MaxNameLength, ErrorMessage = "The name can be at most 100 characters.")]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string Name { get; set; } = "";

        public string? Issuer { get; set; }

        public string? Subject { get; set; }

        /// <summary>Empty: this service's issuer identifier.</summary>
        public string? Audience { get; set; }

        /// <summary>One <c>name=value</c> per line.</summary>
        public string? Claims { get; set; }

        [DataType(DataType.Date)]
        public DateOnly? ReviewOn { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [FromQuery(Name = "preset")]
    public string? PresetKey { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public Preset? Chosen => Presets.FirstOrDefault(p => p.Key == PresetKey);

    public IReadOnlyList<TrustedIssuerEntry> TrustedIssuers { get; private set; } = [];

    /// <summary>The audience tokens must carry when the form leaves it empty: this service's issuer identifier.</summary>
    public string DefaultAudience => TokenIssuer.Resolve(tokenService.Value, Request);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (Chosen is { } preset)
        {
            Input.Name = $"{preset.Label} workload";
            Input.Issuer = preset.Issuer;
            Input.Subject = preset.SubjectPattern;
            Input.Claims = preset.ClaimsExample;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (Input.ReviewOn is { } reviewOn && CredentialExpiryPolicy.Validate(CredentialKind.FederatedIdentity, reviewOn, Now) is { } reviewError)
        {
            ModelState.AddModelError("Input.ReviewOn", reviewError.Replace("expiry date", "review date", StringComparison.Ordinal));
        }

        var (claims, claimsError) = ParseClaims(Input.Claims);
        if (claimsError is not null)
        {
            ModelState.AddModelError("Input.Claims", claimsError);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        FieldResult<FederatedIdentity> result;
        try
        {
            result = await identities.AddAsync(Application,
                new FederatedIdentityInput(Input.Name, Input.Issuer, Input.Subject, Input.Audience, claims,
                    Input.ReviewOn is { } date ? CredentialExpiryPolicy.ExpiresAtFor(date) : null),
                DefaultAudience, AuditActors.Current(HttpContext), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ChangedMeanwhile();
        }

        if (result.Value is not { } added)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field switch
                {
                    FederatedIdentityManagement.IssuerField => "Input.Issuer",
                    FederatedIdentityManagement.SubjectField => "Input.Subject",
                    FederatedIdentityManagement.AudienceField => "Input.Audience",
                    FederatedIdentityManagement.ClaimsField => "Input.Claims",
                    FederatedIdentityManagement.ReviewField => "Input.ReviewOn",
                    _ => "Input.Name",
                }, message);
            }

            return Page();
        }

        StatusMessage = $"Federated identity “{added.Name}” is added to {Application.Name}: tokens of {added.Issuer} for {added.Subject} " +
            $"with audience {added.Audience} now obtain tokens as client_id {Application.ClientId}" +
            (added.HasReviewDate ? $", until its review date {PortalText.Time(added.ExpiresAt)}." : ".");
        return Redirect("/manage-api-credentials");
    }

    /// <summary>The claims of the text area (one <c>name=value</c> per line, empty lines ignored), or why they cannot be read.</summary>
    public static (Dictionary<string, string>? Claims, string? Error) ParseClaims(string? text)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return (null, $"Write each claim as name=value on a line of its own (“{PlainText.Echo(line)}” has no name=).");
            }

            if (!claims.TryAdd(line[..separator].Trim(), line[(separator + 1)..].Trim()))
            {
                return (null, $"The claim {PlainText.Echo(line[..separator].Trim())} is listed twice.");
            }
        }

        return (claims, null);
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (!await LoadApplicationAsync(cancellationToken))
        {
            return false;
        }

        TrustedIssuers = await trustedIssuers.ListAsync(cancellationToken);
        return true;
    }
}
