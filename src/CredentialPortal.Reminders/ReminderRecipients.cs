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
    /// Credential managers (enabled users) and notification addresses; else the administrators
    /// (<see cref="AdministratorAddresses"/>: <c>Portal:AdministratorsEmail</c>, else their own addresses).
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

        return await AdministratorAddresses.ForAsync(db, portal, cancellationToken);
    }
}
