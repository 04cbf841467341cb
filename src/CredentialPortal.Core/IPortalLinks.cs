namespace CredentialPortal.Core;

/// <summary>
/// The portal's addresses for links in emails and notifications. The web portal knows them (its configured or
/// listening address and its page routes), so it implements this; Core only asks.
/// </summary>
public interface IPortalLinks
{
    /// <summary>The address without a trailing slash, e.g. <c>https://credentials.example.org</c>.</summary>
    string BaseUrl { get; }

    /// <summary>The absolute address of the Manage API Credentials page, where emails send credential managers.</summary>
    string CredentialsPage { get; }

    /// <summary>The absolute address of a webhook endpoint's page.</summary>
    string WebhookEndpointPage(int endpointId);
}
