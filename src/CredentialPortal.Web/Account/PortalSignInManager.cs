using System.Linq.Expressions;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Identity's sign-in manager, refusing disabled users and users of inactive organisations, and keeping passkey
/// ceremonies in <see cref="PasskeyCeremonies"/> (single use, and the pending sign-in cookie left alone) instead of
/// the two-factor cookie.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    CredentialPortalDbContext db,
    IPasskeyHandler<PortalUser> passkeys,
    PasskeyCeremonies ceremonies,
    TimeProvider time)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    // Identity's names for the two ceremonies.
    private const string Attestation = "Attestation";
    private const string Assertion = "Assertion";

    /// <summary>
    /// Who may sign in or keep a session: an enabled user of an active organisation. The one statement of the rule:
    /// <see cref="CanSignInAsync"/> and the per-request session check (<see cref="PortalSessions"/>) both use it.
    /// </summary>
    public static readonly Expression<Func<PortalUser, bool>> MaySignIn = u => !u.IsDisabled && u.Organisation.IsActive;

    public override async Task<bool> CanSignInAsync(PortalUser user) =>
        await RefusalAsync(user) == SignInRefusal.None && await base.CanSignInAsync(user);

    /// <summary>Why <paramref name="user"/> may not sign in (as stored now), for the message to someone who knew the password.</summary>
    public async Task<SignInRefusal> RefusalAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await db.Users.Where(u => u.Id == user.Id).AnyAsync(MaySignIn))
        {
            return SignInRefusal.None;
        }

        return await db.Users.AnyAsync(u => u.Id == user.Id && u.IsDisabled) ? SignInRefusal.AccountDisabled : SignInRefusal.OrganisationDeactivated;
    }

    public override async Task<string> MakePasskeyCreationOptionsAsync(PasskeyUserEntity userEntity)
    {
        var result = await passkeys.MakeCreationOptionsAsync(userEntity, Context);
        await ceremonies.StartAsync(Attestation, result.AttestationState ?? "");
        return result.CreationOptionsJson;
    }

    public override async Task<string> MakePasskeyRequestOptionsAsync(PortalUser? user)
    {
        var result = await passkeys.MakeRequestOptionsAsync(user, Context);
        await ceremonies.StartAsync(Assertion, result.AssertionState ?? "");
        return result.RequestOptionsJson;
    }

    /// <summary>A missing, expired or already used ceremony is a failed attestation (an error message), not an exception.</summary>
    public override async Task<PasskeyAttestationResult> PerformPasskeyAttestationAsync(string credentialJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialJson);
        if (await ceremonies.TakeAsync(Attestation) is not { } state)
        {
            return PasskeyAttestationResult.Fail(new PasskeyException(CeremonyGone));
        }

        var result = await passkeys.PerformAttestationAsync(new PasskeyAttestationContext { CredentialJson = credentialJson, AttestationState = state, HttpContext = Context });
        if (!result.Succeeded)
        {
            return result;
        }

        // The handler dates the passkey with the system clock; the portal's clock (TimeProvider) is the one it keeps.
        var p = result.Passkey;
        return PasskeyAttestationResult.Success(new UserPasskeyInfo(p.CredentialId, p.PublicKey, time.GetUtcNow(), p.SignCount, p.Transports,
            p.IsUserVerified, p.IsBackupEligible, p.IsBackedUp, p.AttestationObject, p.ClientDataJson), result.UserEntity);
    }

    public override async Task<PasskeyAssertionResult<PortalUser>> PerformPasskeyAssertionAsync(string credentialJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialJson);
        return await ceremonies.TakeAsync(Assertion) is { } state
            ? await passkeys.PerformAssertionAsync(new PasskeyAssertionContext { CredentialJson = credentialJson, AssertionState = state, HttpContext = Context })
            : PasskeyAssertionResult.Fail<PortalUser>(new PasskeyException(CeremonyGone));
    }

    public const string CeremonyGone = "The passkey request expired or was already used.";
}

/// <summary>Why a user who knows the password is refused (<see cref="PortalSignInManager.RefusalAsync"/>).</summary>
public enum SignInRefusal
{
    None,
    AccountDisabled,
    OrganisationDeactivated,
}
