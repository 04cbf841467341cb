using System.Net;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;

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
        var form = await _manager.Client.GetAsync("/webhooks/register");
        var offered = form.Document.QuerySelectorAll("select[name='Input.Target'] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Equal(["", $"app:{_ownApplication}"], offered);
        Assert.Null(form.Document.QuerySelector("input[name='Input.AllowPrivateNetwork']"));

        var tampered = await _manager.Client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.Target"] = $"app:{_otherApplication}", ["Input.Url"] = _receiver.Address.ToString(),
        });
        Assert.Contains("Choose what the endpoint hears about", tampered.Errors, StringComparison.Ordinal);

        var registered = await _manager.Client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.Target"] = $"app:{_ownApplication}", ["Input.Url"] = _receiver.Address + "hooks?token=receiver-token", ["Input.Description"] = "our receiver",
        });
        var secret = registered.Document.QuerySelector("#new-secret-value")?.GetAttribute("value");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Contains("no-store", registered.Response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var endpointLink = registered.Document.QuerySelector("a.button[href^='/webhooks/']")!.GetAttribute("href")!;

        var endpointPage = await _manager.Client.GetAsync(endpointLink);
        Assert.DoesNotContain(secret!, endpointPage.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("receiver-token", endpointPage.Body, StringComparison.Ordinal);
        var afterTest = await _manager.Client.SubmitAsync(endpointPage, formSelector: "form[action$='handler=Test']");
        Assert.Contains("webhook.test", afterTest.Text, StringComparison.Ordinal);
        await _portal.RunNextPassAsync<OutboxSender>();

        var received = Assert.Single(_receiver.Received);
        Assert.Equal("/hooks", received.Path);
        Assert.True(HasValidSignature(received, secret!, _portal.Time.GetUtcNow()));
        Assert.Equal("webhook.test", Json(received).GetProperty("type").GetString());
        var log = await _manager.Client.GetAsync(endpointLink);
        Assert.Contains(received.Headers["webhook-id"], log.Text, StringComparison.Ordinal);
        Assert.Contains("Delivered", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("must not be stored", log.Body, StringComparison.Ordinal);

        var disabled = await _manager.Client.SubmitAsync(log, formSelector: "form[action$='handler=Disable']");
        Assert.Contains("Disabled", disabled.Text, StringComparison.Ordinal);
        var list = await _manager.Client.GetAsync("/webhooks");
        Assert.Contains("our receiver", (await _manager.Client.GetAsync(endpointLink)).Text, StringComparison.Ordinal);
        Assert.Contains("Disabled", list.Text, StringComparison.Ordinal);

        var deleted = await _manager.Client.SubmitAsync(disabled, formSelector: "form[action$='handler=Delete']");
        Assert.Equal("/webhooks", deleted.Path);
        Assert.Equal(HttpStatusCode.NotFound, (await _manager.Client.GetAsync(endpointLink)).Status);
    }

    [Fact]
    public async Task Only_administrators_register_organisation_endpoints_and_a_manager_cannot_reach_other_endpoints()
    {
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        var form = await admin.GetAsync("/webhooks/register");
        Assert.Contains(form.Document.QuerySelectorAll("select[name='Input.Target'] option"), o => o.GetAttribute("value") == $"org:{_organisation}");
        var registered = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.Target"] = $"org:{_organisation}", ["Input.Url"] = "https://10.20.30.40/hooks", ["Input.AllowPrivateNetwork"] = "true",
        });
        var organisationEndpoint = registered.Document.QuerySelector("a.button[href^='/webhooks/']")!.GetAttribute("href")!;
        var refused = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.Target"] = $"app:{_otherApplication}", ["Input.Url"] = "not an address",
        });
        Assert.Contains("https://", refused.Errors, StringComparison.Ordinal);
        var other = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.Target"] = $"app:{_otherApplication}", ["Input.Url"] = "https://partner.example/hooks",
        });
        var otherEndpoint = other.Document.QuerySelector("a.button[href^='/webhooks/']")!.GetAttribute("href")!;

        Assert.Equal(HttpStatusCode.NotFound, (await _manager.Client.GetAsync(organisationEndpoint)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _manager.Client.GetAsync(otherEndpoint)).Status);
        // A valid form of the manager's own session, posted to an endpoint that is not theirs.
        var token = (await _manager.Client.GetAsync("/webhooks/register")).Document
            .QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var tamperedPost = await _manager.Client.PostAsync(otherEndpoint + "?handler=Delete", [new("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.NotFound, tamperedPost.Status);
        Assert.DoesNotContain("HookOrg (organisation)", (await _manager.Client.GetAsync("/webhooks")).Text, StringComparison.Ordinal);
        Assert.Contains("HookOrg (organisation)", (await admin.GetAsync("/webhooks")).Text, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == "webhook.registered"));
    }
}
