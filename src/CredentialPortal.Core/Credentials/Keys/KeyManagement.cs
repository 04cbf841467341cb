using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// Adds partners' public keys with the rules of secrets — name, the application's policy and credential limit (secrets and
/// keys counted together), an expiry of at most one year — plus a key's own: a readable RSA ≥ 2048 or EC P-256/P-384 public
/// key, never beyond its certificate's <c>notAfter</c>, not already on the application. Disable, enable and delete are
/// <see cref="CredentialLifecycle"/>'s, as for secrets.
/// </summary>
public sealed class KeyManagement(CredentialPortalDbContext db, CredentialLifecycle lifecycle, TimeProvider time)
{
    public const string NameField = "Name";
    public const string KeyField = "Key";
    public const string ExpiryField = "ExpiresAt";

    /// <summary>The expiry a form offers for this key: one year, or the certificate's end if sooner.</summary>
    public static DateOnly DefaultExpiryDate(ParsedPublicKey? key, DateTime now) =>
        key?.CertificateNotAfter is { } notAfter && DateOnly.FromDateTime(notAfter) < CredentialExpiryPolicy.DefaultExpiryDate(now)
            ? DateOnly.FromDateTime(notAfter)
            : CredentialExpiryPolicy.DefaultExpiryDate(now);

    /// <summary>
    /// Adds the key given as text (pasted) or bytes (an uploaded file); <paramref name="expiresAt"/> null means the
    /// default (one year, or the certificate's <c>notAfter</c> if sooner). Throws <see cref="DbUpdateConcurrencyException"/>
    /// when the application changed meanwhile (e.g. a concurrent creation); nothing is saved then.
    /// </summary>
    public Task<FieldResult<ClientKey>> AddAsync(Application application, string? name, KeyInput input, DateTime? expiresAt, AuditActor actor,
        CancellationToken cancellationToken = default) =>
        AddAsync(application, name, input, expiresAt, actor, null, cancellationToken);

    /// <summary>
    /// Adds a key that, with <paramref name="replaces"/>, rotates another credential of the application — a key or a secret
    /// moving to keys (<see cref="CredentialRotation"/>).
    /// </summary>
    public async Task<FieldResult<ClientKey>> AddAsync(Application application, string? name, KeyInput input, DateTime? expiresAt, AuditActor actor,
        CredentialReplacement? replaces, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        var (validName, nameError) = CredentialRules.ValidateName(name, CredentialKind.Key);
        if (nameError is not null)
        {
            return FieldResult.Refused<ClientKey>(NameField, nameError);
        }

        var (key, keyError) = input.File is { } file ? PublicKeyParser.Parse(file.Span, now) : PublicKeyParser.Parse(input.Text, now);
        if (key is null)
        {
            return FieldResult.Refused<ClientKey>(KeyField, keyError!);
        }

        var expiry = expiresAt ?? CredentialExpiryPolicy.ExpiresAtFor(DefaultExpiryDate(key, now));
        if (key.CertificateNotAfter is { } notAfter && expiry > notAfter)
        {
            return FieldResult.Refused<ClientKey>(ExpiryField,
                $"The certificate is valid until {PortalText.Time(notAfter)}: the key cannot be valid longer. Choose {DateOnly.FromDateTime(notAfter):yyyy-MM-dd} or earlier.");
        }

        if (CredentialExpiryPolicy.Validate(CredentialKind.Key, expiry, now) is { } expiryError)
        {
            return FieldResult.Refused<ClientKey>(ExpiryField, expiryError);
        }

        if (replaces is not null && CredentialRotation.Validate(application, replaces, now) is { } rotationError)
        {
            return FieldResult.Refused<ClientKey>(rotationError.Field, rotationError.Error);
        }

        if (await CredentialRules.RefusalToCreateAsync(db, application, CredentialKind.Key, cancellationToken) is { } refusal)
        {
            return FieldResult.Refused<ClientKey>(NameField, refusal);
        }

        if (await db.ClientKeys.AnyAsync(k => k.ApplicationId == application.Id && k.Hint == key.Thumbprint, cancellationToken))
        {
            return FieldResult.Refused<ClientKey>(KeyField, $"This application already has this key (thumbprint {key.Thumbprint}).");
        }

        var added = new ClientKey
        {
            ApplicationId = application.Id,
            Name = validName!,
            Hint = key.Thumbprint,
            PublicJwk = key.ToJson(),
            KeyDescription = key.Description,
            CertificateNotAfter = key.CertificateNotAfter,
            CreatedAt = now,
            CreatedBy = actor.Name,
            ExpiresAt = expiry,
        };
        await lifecycle.AddAsync(application, added, actor, replaces, cancellationToken);
        return FieldResult.Done(added);
    }
}

/// <summary>A key as a partner gives it: pasted text, or the bytes of an uploaded file (which win when both are given).</summary>
public sealed record KeyInput(string? Text, ReadOnlyMemory<byte>? File = null);
