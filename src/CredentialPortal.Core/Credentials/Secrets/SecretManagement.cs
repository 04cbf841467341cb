using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Credentials;

/// <summary>A created secret: the stored row and the value, which exists only in this response.</summary>
public sealed record CreatedSecret(ClientSecret Secret, string Value);

/// <summary>
/// Creates client secrets with the same rules everywhere — the portal, the administration pages and the management
/// API: validation, the application's policy and credential limit, then <see cref="CredentialLifecycle.AddAsync(Application, ClientCredential, AuditActor, CredentialReplacement?, CancellationToken)"/>
/// (audit, change log, security notification, local cache eviction). Disable, enable and delete are the
/// <see cref="CredentialLifecycle"/>'s, shared with keys.
/// </summary>
public sealed class SecretManagement(CredentialPortalDbContext db, CredentialLifecycle lifecycle, IOptions<SecretOptions> options, TimeProvider time)
{
    public const string NameField = "Name";
    public const string ExpiryField = "ExpiresAt";

    /// <summary>
    /// Creates a secret within the application's credential limit. Throws <see cref="DbUpdateConcurrencyException"/>
    /// when the application changed since it was loaded (e.g. a concurrent creation); nothing is saved then.
    /// </summary>
    public Task<FieldResult<CreatedSecret>> CreateAsync(
        Application application, string? name, DateTime expiresAt, AuditActor actor, CancellationToken cancellationToken = default) =>
        CreateAsync(application, name, expiresAt, actor, null, cancellationToken);

    /// <summary>
    /// Creates a secret that, with <paramref name="replaces"/>, rotates another credential of the application
    /// (<see cref="CredentialRotation"/>): the errors then may name <see cref="CredentialRotation.ReplacesField"/> or its grace's fields.
    /// </summary>
    public async Task<FieldResult<CreatedSecret>> CreateAsync(Application application, string? name, DateTime expiresAt, AuditActor actor,
        CredentialReplacement? replaces, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        var (validName, nameError) = CredentialRules.ValidateName(name, CredentialKind.Secret);
        if (nameError is not null)
        {
            return FieldResult.Refused<CreatedSecret>(NameField, nameError);
        }

        if (CredentialExpiryPolicy.Validate(CredentialKind.Secret, expiresAt, now) is { } expiryError)
        {
            return FieldResult.Refused<CreatedSecret>(ExpiryField, expiryError);
        }

        if (replaces is not null && CredentialRotation.Validate(application, replaces, now) is { } rotationError)
        {
            return FieldResult.Refused<CreatedSecret>(rotationError.Field, rotationError.Error);
        }

        if (await CredentialRules.RefusalToCreateAsync(db, application, CredentialKind.Secret, cancellationToken) is { } refusal)
        {
            return FieldResult.Refused<CreatedSecret>(NameField, refusal);
        }

        var generated = SecretGenerator.NewSecret(options.Value.Prefix);
        var secret = new ClientSecret
        {
            ApplicationId = application.Id,
            Name = validName!,
            Hash = generated.Hash,
            Hint = generated.Hint,
            CreatedAt = now,
            CreatedBy = actor.Name,
            ExpiresAt = expiresAt,
        };
        await lifecycle.AddAsync(application, secret, actor, replaces, cancellationToken);
        return FieldResult.Done(new CreatedSecret(secret, generated.Value));
    }
}
