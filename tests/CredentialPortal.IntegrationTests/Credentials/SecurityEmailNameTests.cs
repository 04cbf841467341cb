using System.Net;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>Whoever holds a stolen secret names the credentials it creates; our security emails must not carry their lure.</summary>
public sealed class SecurityEmailNameTests
{
    private const string Manager = "manager@demoorg.example";

    [Fact]
    public async Task A_credential_named_with_a_link_reaches_the_managers_without_it()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var application = await ManagedApplicationAsync(portal, [Manager]);
        var (secret, _) = await AddSecretAsync(portal, application);
        var token = await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self");
        const string lure = "Locked out? Restore access at https://wmda-credentials.example/restore";

        using var created = await CreateAsync(http, application.ClientId, token, lure, Date(portal, 30));
        await OkJsonAsync(created, HttpStatusCode.Created);
        await portal.RunNextPassAsync<OutboxSender>();

        var email = Assert.Single(portal.Mail.To(Manager), m => m.Subject.StartsWith("Client secret created", StringComparison.Ordinal));
        Assert.DoesNotContain("wmda-credentials.example", email.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain("https://wmda", email.Body, StringComparison.Ordinal);
        Assert.Contains("Locked out? Restore access at https[:]//", email.TextBody, StringComparison.Ordinal);
    }
}
