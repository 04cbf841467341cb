using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>
/// Issue 32 item 6, two instances on one PostgreSQL database: an issuer an administrator trusts through one instance is
/// trusted by the other after its reread (<see cref="TrustedIssuerList.RereadAfter"/>); an identity created, disabled or
/// enabled through either instance works or is refused on both after one change-log poll; each instance fetches the
/// issuer's rotated key by itself.
/// </summary>
public sealed class FederatedTwoInstancesTests
{
    private const string Subject = "system:serviceaccount:billing:exporter";

    [Fact]
    public async Task An_issuer_trusted_and_an_identity_created_on_one_instance_work_on_both_and_disabling_or_rotation_reach_both()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        await using var issuer = await TestIssuer.StartAsync(rsa: true);
        // No issuer in the configuration: the trust comes from the database, as through Administration → Trusted issuers.
        var settings = TestIssuer.TrustSettings(issuer: null);
        await using var first = await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, settings: settings);
        await using var second = await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, settings: new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
        });
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);

        // Both clocks start at the same instant and move together: one token fits both.
        async Task<string> DescriptionAsync(HttpClient client, string token)
        {
            using var response = await RequestWithAssertionAsync(client, token, clientId: app.ClientId);
            return response.StatusCode == HttpStatusCode.OK ? "OK"
                : (await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client")).GetProperty("error_description").GetString()!;
        }

        async Task BothAsync(string token, string expected)
        {
            Assert.Equal(expected, await DescriptionAsync(one, token));
            Assert.Equal(expected, await DescriptionAsync(two, token));
        }

        // One change-log poll on each instance, moving both clocks by the same amount (at least the poll interval).
        Task PollAsync(TimeSpan? atLeast = null) => Task.WhenAll(
            first.RunNextPassAsync<CredentialChangePoller>(atLeast), second.RunNextPassAsync<CredentialChangePoller>(atLeast));

        Assert.Contains("not one this service trusts", await DescriptionAsync(two, issuer.KubernetesToken(second.Time.GetUtcNow())), StringComparison.Ordinal);

        await using (var scope = first.Services.CreateAsyncScope())
        {
            var trusted = await scope.ServiceProvider.GetRequiredService<TrustedIssuerManagement>().AddAsync(issuer.Issuer, new AuditActor("admin"));
            Assert.True(trusted.Succeeded, string.Join("; ", trusted.Errors.Values));
        }

        var identity = await issuer.AddIdentityAsync(first, app, Subject);
        Assert.Equal("OK", await DescriptionAsync(one, issuer.KubernetesToken(first.Time.GetUtcNow())));
        await PollAsync(TrustedIssuerList.RereadAfter);
        await BothAsync(issuer.KubernetesToken(first.Time.GetUtcNow()), "OK");

        await ChangeIdentityAsync(first, app, identity.Id, (lifecycle, application, stored) =>
            lifecycle.DisableAsync(application, stored, new AuditActor("tests"), confirmedLastCredential: true));
        await PollAsync();
        await BothAsync(issuer.KubernetesToken(first.Time.GetUtcNow()), "the federated identity is disabled");

        await ChangeIdentityAsync(second, app, identity.Id, (lifecycle, application, stored) =>
            lifecycle.EnableAsync(application, stored, new AuditActor("tests")));
        await PollAsync();
        var beforeRotation = issuer.KubernetesToken(first.Time.GetUtcNow());
        await BothAsync(beforeRotation, "OK");

        // The issuer replaces its key; past the minute between key fetches, each instance fetches the new one at its first
        // token of the new kid, and the retired key's tokens stop working on both.
        var fetches = issuer.JwksFetches;
        issuer.Rotate();
        await PollAsync(TimeSpan.FromSeconds(61));
        await BothAsync(issuer.KubernetesToken(first.Time.GetUtcNow()), "OK");
        Assert.Equal(fetches + 2, issuer.JwksFetches);
        Assert.NotEqual("OK", await DescriptionAsync(one, beforeRotation));
        Assert.NotEqual("OK", await DescriptionAsync(two, beforeRotation));
    }

    /// <summary>Changes the identity through <paramref name="portal"/>'s lifecycle, as its credentials page does.</summary>
    private static async Task ChangeIdentityAsync(PortalFactory portal, TestApplication app, int identityId,
        Func<CredentialLifecycle, Core.Applications.Application, FederatedIdentity, Task<CredentialChangeOutcome>> change)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var application = await db.Applications.SingleAsync(a => a.Id == app.Id);
        var identity = await db.FederatedIdentities.SingleAsync(f => f.Id == identityId);
        Assert.Equal(CredentialChangeOutcome.Changed, await change(scope.ServiceProvider.GetRequiredService<CredentialLifecycle>(), application, identity));
    }
}
