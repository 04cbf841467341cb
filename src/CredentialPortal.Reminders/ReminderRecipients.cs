using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Reminders;

/// <summary>Who receives an application's reminders.</summary>
public static class ReminderRecipients
{
    /// <summary>
    /// Credential managers (enabled users) and notification addresses; else <c>Portal:AdministratorsEmail</c>; else the
    /// administrators. Empty only when there is nobody at all, which the outbox then records as a permanent failure.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ForAsync(CredentialPortalDbContext db, Application application, PortalOptions portal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(portal);
        var managers = await ManagerAddresses.Of(db, application.Id).ToListAsync(cancellationToken);
        var recipients = managers.Concat(application.NotificationEmails)
            .Where(a => !string.IsNullOrWhiteSpace(a))
            .Select(a => a.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (recipients.Count > 0)
        {
            return recipients;
        }

        if (!string.IsNullOrWhiteSpace(portal.AdministratorsEmail))
        {
            return [portal.AdministratorsEmail.Trim()];
        }

        return await db.UserRoles
            .Where(ur => db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == PortalRole.AdministratorKey))
            .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u)
            .Where(u => !u.IsDisabled && u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .ToListAsync(cancellationToken);
    }
}
