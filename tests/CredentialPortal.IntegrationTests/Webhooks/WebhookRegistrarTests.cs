using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Webhooks;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;
using static CredentialPortal.Testing.Webhooks.WebhookPages;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>
/// An application's endpoint is the application's: it keeps receiving events after the manager who registered it
/// loses the role, and those who remain are told, see who registered it, and alone hear when it is disabled.
/// </summary>
public sealed class WebhookRegistrarTests : IAsyncLifetime
{
    private const string Leaver = "leaver@leaveorg.example";
    private const string Stayer = "stayer@leaveorg.example";
    private const string Subject = "Webhook endpoints registered by " + Leaver;

    private HttpReceiver _receiver = null!;
    private PortalFactory _portal = null!;
    private PortalClient _admin = null!;
    private OnboardedUser _leaver = null!;
    private OnboardedUser _stayer = null!;
    private int _shared;
    private int _alone;
    private string _sharedEndpoint = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await HttpReceiver.StartAsync();
        // The receiver is this machine's loopback: allowed here by configuration, as an administrator would for an internal one.
        _portal = await PortalFactory.StartAsync(settings: Settings(("Webhooks:AllowPrivateNetworks", "true"), ("Reminders:Enabled", "false")));
        var (organisation, ids) = await _portal.CreateOrganisationAsync("LeaveOrg", "DM", "SMC");
        (_shared, _alone) = (ids[0], ids[1]);
        _admin = new PortalClient(_portal);
        await _admin.SignInAsAdministratorAsync();
        _leaver = await _admin.InviteAndOnboardAsync(Leaver, organisation, [_shared, _alone], "Leaving Manager");
        _stayer = await _admin.InviteAndOnboardAsync(Stayer, organisation, [_shared], "Staying Manager");
        var webhooks = new WebhookPages(_leaver.Client);
        _sharedEndpoint = (await webhooks.RegisterAsync(ApplicationTarget(_shared), _receiver.Address + "shared")).EndpointPath;
        await webhooks.RegisterAsync(ApplicationTarget(_alone), _receiver.Address + "alone");
        await DeliverPendingAsync(_portal);
        _portal.Mail.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        _leaver.Client.Dispose();
        _stayer.Client.Dispose();
        _admin.Dispose();
        await _portal.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_removed_manager_s_endpoints_keep_sending_and_the_remaining_managers_else_the_administrators_are_told()
    {
        var pages = new AdminPages(_admin);
        var leaverId = await _portal.UserIdAsync(Leaver);
        Assert.Contains("no longer manages", (await pages.RemoveManagerAsync(_shared, leaverId)).Text, StringComparison.Ordinal);
        Assert.Contains("no longer manages", (await pages.RemoveManagerAsync(_alone, leaverId)).Text, StringComparison.Ordinal);
        await DeliverPendingAsync(_portal);

        var told = Assert.Single(_portal.Mail.To(Stayer), m => m.Subject.StartsWith(Subject, StringComparison.Ordinal));
        foreach (var expected in new[] { _receiver.Address.Host, $"registered by {Leaver} on 2026-11-23", "keep receiving", $"http://localhost{_sharedEndpoint}" })
        {
            Assert.Contains(expected, told.Body, StringComparison.Ordinal);
        }

        // The other application has no manager left: the administrators hear about its endpoint.
        var administrators = Assert.Single(_portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.StartsWith(Subject, StringComparison.Ordinal));
        Assert.DoesNotContain(_sharedEndpoint, administrators.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_portal.Mail.To(Leaver), m => m.Subject.StartsWith(Subject, StringComparison.Ordinal));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.NotificationQueued
            && e.Details!.Contains(Subject) && e.Details.Contains("keep receiving events")));
        Assert.Equal(2, await db.WebhookEndpoints.CountAsync(e => e.DisabledAt == null));

        // The endpoint still works.
        var webhooks = new WebhookPages(_stayer.Client);
        await webhooks.SendTestEventAsync(await webhooks.EndpointAsync(_sharedEndpoint));
        await _portal.RunNextPassAsync<OutboxSender>();
        Assert.Equal("/shared", Assert.Single(_receiver.Received).Path);
    }

    [Fact]
    public async Task The_other_managers_see_who_registered_each_endpoint_and_when()
    {
        var webhooks = new WebhookPages(_stayer.Client);

        // The list shows the one endpoint of the application the stayer manages.
        var list = await webhooks.ListAsync();
        Assert.Equal(1, AdminPages.RowCount(list));
        Assert.Contains($"by {Leaver} on 2026-11-23", AdminPages.TableText(list), StringComparison.Ordinal);
        Assert.Contains($"by {Leaver} on 2026-11-23", (await webhooks.EndpointAsync(_sharedEndpoint)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_a_manager_tells_the_others_of_the_endpoints_they_registered()
    {
        var disabled = await new AdminPages(_admin).UserActionAsync("Disable", await _portal.UserIdAsync(Leaver));
        Assert.Contains("is disabled", disabled.Text, StringComparison.Ordinal);
        await DeliverPendingAsync(_portal);

        Assert.Single(_portal.Mail.To(Stayer), m => m.Subject.StartsWith(Subject, StringComparison.Ordinal));
        Assert.Single(_portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.StartsWith(Subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_current_managers_hear_that_an_endpoint_was_disabled_not_a_former_one_who_registered_it()
    {
        _receiver.Respond = _ => 410;
        await new AdminPages(_admin).RemoveManagerAsync(_shared, await _portal.UserIdAsync(Leaver));
        var webhooks = new WebhookPages(_stayer.Client);
        await webhooks.SendTestEventAsync(await webhooks.EndpointAsync(_sharedEndpoint));
        await _portal.RunNextPassAsync<OutboxSender>();
        await DeliverPendingAsync(_portal);

        Assert.Contains("Disabled", (await webhooks.EndpointAsync(_sharedEndpoint)).Text, StringComparison.Ordinal);
        Assert.Single(_portal.Mail.To(Stayer), m => m.Subject.StartsWith("Webhook endpoint disabled", StringComparison.Ordinal));
        Assert.DoesNotContain(_portal.Mail.To(Leaver), m => m.Subject.StartsWith("Webhook endpoint disabled", StringComparison.Ordinal));
    }
}
