using System.Net;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Webhooks;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;
using static CredentialPortal.Testing.Webhooks.WebhookPages;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>The webhook pages through their real forms, as a credential manager and an administrator use them.</summary>
public sealed class WebhookPagesTests : IAsyncLifetime
{
    private HttpReceiver _receiver = null!;
    private PortalFactory _portal = null!;
    private OnboardedUser _manager = null!;
    private int _organisation;
    private int _ownApplication;
    private int _otherApplication;

    public async ValueTask InitializeAsync()
    {
        _receiver = await HttpReceiver.StartAsync();
        // The receiver is this machine's loopback: allowed here by configuration, as an administrator would for an internal one.
        _portal = await PortalFactory.StartAsync(settings: Settings(("Webhooks:AllowPrivateNetworks", "true"), ("Reminders:Enabled", "false")));
        (_organisation, var ids) = await _portal.CreateOrganisationAsync("HookOrg", "DM", "SMC");
        (_ownApplication, _otherApplication) = (ids[0], ids[1]);
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        _manager = await admin.InviteAndOnboardAsync("hook.manager@hookorg.example", _organisation, [_ownApplication], "Hook Manager");
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Client.Dispose();
        await _portal.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_manager_registers_an_endpoint_sees_its_secret_once_sends_a_test_event_and_reads_the_log()
    {
        var webhooks = new WebhookPages(_manager.Client);
        var form = await webhooks.RegisterFormAsync();
        Assert.Equal(["", ApplicationTarget(_ownApplication)], WebhookPages.Targets(form));
        Assert.False(WebhookPages.OffersPrivateNetwork(form));

        var tampered = await webhooks.SubmitRegistrationAsync(ApplicationTarget(_otherApplication), _receiver.Address.ToString());
        Assert.Contains("Choose what the endpoint hears about", tampered.Errors, StringComparison.Ordinal);

        var (registered, secret, endpoint) = await webhooks.RegisterAsync(ApplicationTarget(_ownApplication),
            _receiver.Address + "hooks?token=receiver-token", "our receiver");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Contains("no-store", registered.Response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        var endpointPage = await webhooks.EndpointAsync(endpoint);
        Assert.DoesNotContain(secret, endpointPage.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("receiver-token", endpointPage.Body, StringComparison.Ordinal);
        var afterTest = await webhooks.SendTestEventAsync(endpointPage);
        Assert.Contains("webhook.test", afterTest.Text, StringComparison.Ordinal);
        await _portal.RunNextPassAsync<OutboxSender>();

        var received = Assert.Single(_receiver.Received);
        Assert.Equal("/hooks", received.Path);
        Assert.True(HasValidSignature(received, secret, _portal.Time.GetUtcNow()));
        Assert.Equal("webhook.test", Json(received).GetProperty("type").GetString());
        var log = await webhooks.EndpointAsync(endpoint);
        Assert.Contains(received.Headers["webhook-id"], log.Text, StringComparison.Ordinal);
        Assert.Contains("Delivered", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("must not be stored", log.Body, StringComparison.Ordinal);

        var disabled = await webhooks.DisableAsync(log);
        Assert.Contains("Disabled", disabled.Text, StringComparison.Ordinal);
        var list = await webhooks.ListAsync();
        Assert.Contains("our receiver", (await webhooks.EndpointAsync(endpoint)).Text, StringComparison.Ordinal);
        Assert.Contains("Disabled", list.Text, StringComparison.Ordinal);

        var deleted = await webhooks.DeleteAsync(disabled);
        Assert.Equal(WebhookPages.ListPath, deleted.Path);
        Assert.Equal(HttpStatusCode.NotFound, (await webhooks.EndpointAsync(endpoint)).Status);
    }

    [Fact]
    public async Task Only_administrators_register_organisation_endpoints_and_a_manager_cannot_reach_other_endpoints()
    {
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        var adminWebhooks = new WebhookPages(admin);
        var managerWebhooks = new WebhookPages(_manager.Client);
        Assert.Contains(OrganisationTarget(_organisation), WebhookPages.Targets(await adminWebhooks.RegisterFormAsync()));
        var organisationEndpoint = (await adminWebhooks.RegisterAsync(OrganisationTarget(_organisation), "https://10.20.30.40/hooks", allowPrivateNetwork: true)).EndpointPath;
        var refused = await adminWebhooks.SubmitRegistrationAsync(ApplicationTarget(_otherApplication), "not an address");
        Assert.Contains("https://", refused.Errors, StringComparison.Ordinal);
        var otherEndpoint = (await adminWebhooks.RegisterAsync(ApplicationTarget(_otherApplication), "https://partner.example/hooks")).EndpointPath;

        // The organisation's endpoint the manager sees, read-only (WebhookEndpointChangesTests); the other application's not at all.
        Assert.Equal(HttpStatusCode.OK, (await managerWebhooks.EndpointAsync(organisationEndpoint)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await managerWebhooks.EndpointAsync(otherEndpoint)).Status);
        // A valid form of the manager's own session, posted to an endpoint that is not theirs.
        Assert.Equal(HttpStatusCode.NotFound, (await managerWebhooks.PostDeleteAsync(otherEndpoint)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await managerWebhooks.PostDeleteAsync(organisationEndpoint)).Status);
        Assert.DoesNotContain("HookOrg-SMC", (await managerWebhooks.ListAsync()).Text, StringComparison.Ordinal);
        Assert.Contains("HookOrg (organisation)", (await adminWebhooks.ListAsync()).Text, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == "webhook.registered"));
    }
}
