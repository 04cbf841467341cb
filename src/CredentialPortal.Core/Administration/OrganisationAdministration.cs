using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Administration;

/// <summary>
/// The administrators' commands on organisations (docs/rules.md#roles): add one, rename it, and deactivate or reactivate
/// it, which decides at once whether its applications get tokens and its users may sign in. Each commits once, with
/// its audit event and, for a change of state, a change-log row per application for the token service's caches.
/// </summary>
public sealed class OrganisationAdministration(CredentialPortalDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>The normalised name and country, or the problems found, keyed by "Name" and "CountryCode".</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> CheckAsync(int? id, string name, string countryCode,
        CancellationToken cancellationToken = default)
    {
        var errors = new List<KeyValuePair<string, string>>();
        if (name.Length > 0 && OrganisationName.Validate(name) is { } nameError)
        {
            errors.Add(new("Name", nameError));
        }

        if (countryCode.Length > 0 && !CountryCodes.IsValid(countryCode))
        {
            errors.Add(new("CountryCode", $"'{countryCode}' is not an ISO 3166-1 alpha-2 country code."));
        }

        var key = OrganisationName.Key(name);
        if (await db.Organisations.Where(o => o.NormalizedName == key && o.Id != (id ?? 0)).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            errors.Add(new("Name", $"Another organisation is already called {existing} (names differing only in case or spacing count as the same)."));
        }

        return errors;
    }

    public async Task<Organisation> CreateAsync(string name, string countryCode, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organisation = new Organisation { Name = name, CountryCode = countryCode, CreatedAt = time.GetUtcNow().UtcDateTime };
        // The audit event names the new id: the first save gives it, the transaction makes both saves one commit.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Organisations.Add(organisation);
        await db.SaveChangesAsync(cancellationToken);
        Audit(AuditEventTypes.OrganisationCreated, organisation, actor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return organisation;
    }

    /// <summary>What deactivating the organisation would stop: its active applications and enabled users.</summary>
    public async Task<(int Applications, int Users)> DeactivationImpactAsync(Organisation organisation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        return (await db.Applications.CountAsync(a => a.OrganisationId == organisation.Id && a.IsActive, cancellationToken),
            await db.Users.CountAsync(u => u.OrganisationId == organisation.Id && !u.IsDisabled, cancellationToken));
    }

    public async Task UpdateAsync(Organisation organisation, string name, string countryCode, bool isActive, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        if (organisation.IsActive != isActive)
        {
            // Whether its applications may obtain tokens changed: tell every token-service instance.
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var applicationId in await db.Applications.Where(a => a.OrganisationId == organisation.Id).Select(a => a.Id).ToListAsync(cancellationToken))
            {
                db.RecordCredentialChange(applicationId, now);
            }
        }

        organisation.Name = name;
        organisation.CountryCode = countryCode;
        organisation.IsActive = isActive;
        Audit(AuditEventTypes.OrganisationChanged, organisation, actor);
        await db.SaveChangesAsync(cancellationToken);
    }

    private void Audit(string eventType, Organisation organisation, AuditActor actor) =>
        audit.Add(eventType, actor, $"{organisation.Name} ({organisation.CountryCode}){(organisation.IsActive ? "" : ", inactive")}",
            organisationId: organisation.Id);
}
