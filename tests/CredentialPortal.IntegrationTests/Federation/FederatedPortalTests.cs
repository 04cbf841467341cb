using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>A federated identity's lifecycle on the credentials page: the disable, enable and delete pages secrets and keys use.</summary>
public sealed class FederatedPortalTests
{
    private const string Subject = "system:serviceaccount:billing:exporter";

    [Fact]
    public async Task A_manager_disables_enables_and_deletes_a_federated_identity_from_the_list()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: issuer.Settings());
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self");
        var added = await OkJsonAsync(await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{application.ClientId}/federated-credentials", token,
            JsonSerializer.Serialize(new { name = "exporter", issuer = issuer.Issuer, subject = Subject })), HttpStatusCode.Created);
        var id = added.GetProperty("id").GetInt32();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new CredentialsPages(admin, application.Id);

        var list = await pages.ListAsync(application.ClientId);
        Assert.True(pages.OffersDisable(list, id, CredentialKind.FederatedIdentity));
        var row = Assert.Single(CredentialsPages.Rows(list, CredentialKind.FederatedIdentity));
        Assert.DoesNotContain(row.QuerySelectorAll("a"), a => a.TextContent.StartsWith("Rotate", StringComparison.Ordinal));

        var disabled = await pages.ConfirmAsync(await pages.DisablePageAsync(id, CredentialKind.FederatedIdentity));
        Assert.Equal(HttpStatusCode.OK, disabled.Status);
        using (var refused = await RequestWithAssertionAsync(http, issuer.Token(portal.Time.GetUtcNow(), Subject), clientId: application.ClientId))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var enabled = await pages.EnableAsync(await pages.ListAsync(application.ClientId), id, CredentialKind.FederatedIdentity);
        Assert.True(pages.OffersDisable(enabled, id, CredentialKind.FederatedIdentity));
        using (var accepted = await RequestWithAssertionAsync(http, issuer.Token(portal.Time.GetUtcNow(), Subject), clientId: application.ClientId))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var deleted = await pages.ConfirmAsync(await pages.DeletePageAsync(id, CredentialKind.FederatedIdentity));
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Empty(CredentialsPages.Rows(await pages.ListAsync(application.ClientId), CredentialKind.FederatedIdentity));
        Assert.Contains("exporter", (await pages.HistoryAsync()).Text, StringComparison.Ordinal);
    }
}
