using System.Globalization;
using System.Text.Encodings.Web;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Email;
using CredentialPortal.Web.Hosting;

namespace CredentialPortal.Web.Account;

/// <summary>Tells a user that an administrator made them, or no longer lets them be, a credential manager of an application.</summary>
public static class ManagerRoleEmail
{
    /// <summary>The email about one assignment or removal: a new key per change, so every retry of it is the same email.</summary>
    public static EmailMessage Compose(string to, Application application, bool assigned, string portalBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(portalBaseUrl);
        var identityKey = string.Create(CultureInfo.InvariantCulture, $"manager-role/{Guid.NewGuid():N}");
        var name = Encode(application.Name);
        var clientId = Encode(application.ClientId);
        if (!assigned)
        {
            return new EmailMessage([to], $"You are no longer a credential manager of {application.Name}",
                $"""
                An administrator removed your credential-manager role for {application.Name} (client ID {application.ClientId}).
                You no longer see or manage its client secrets. If this is unexpected, contact the administrators.
                """,
                $"""
                <p>An administrator removed your credential-manager role for <strong>{name}</strong> (client ID <code>{clientId}</code>).</p>
                <p>You no longer see or manage its client secrets. If this is unexpected, contact the administrators.</p>
                """,
                identityKey);
        }

        var link = PortalAddress.CredentialsPageOf(portalBaseUrl);
        return new EmailMessage([to], $"You are now a credential manager of {application.Name}",
            $"""
            An administrator made you a credential manager of {application.Name} (client ID {application.ClientId}).

            You can now create, disable and delete its client secrets on the Manage API Credentials page:
            {link}
            """,
            $"""
            <p>An administrator made you a credential manager of <strong>{name}</strong> (client ID <code>{clientId}</code>).</p>
            <p>You can now create, disable and delete its client secrets on the <a href="{Encode(link)}">Manage API Credentials page</a>.</p>
            """,
            identityKey);
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
