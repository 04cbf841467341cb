using System.Globalization;
using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;
using static CredentialPortal.Testing.Webhooks.WebhookPages;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>
/// What administrators and credential managers do with an endpoint after registering it, through the real pages:
/// change its address and events, rotate its secret, send a message again, see what is waiting; and what a credential
/// manager sees of the organisation's endpoints.
/// </summary>
public sealed class WebhookEndpointChangesTests : IAsyncLifetime
{
    private const string Manager = "changes.manager@changeorg.example";

    private HttpReceiver _receiver = null!;
    private PortalFactory _portal = null!;
    private PortalClient _admin = null!;
    private OnboardedUser _manager = null!;
    private int _organisation;
    private int _application;

    public async ValueTask InitializeAsync()
    {
        _receiver = await HttpReceiver.StartAsync();
        // No private networks for every endpoint: the receiver on this machine's loopback is allowed per endpoint, by an
        // administrator, so that the address guard still applies to the others.
        _portal = await PortalFactory.StartAsync(settings: Settings(("Reminders:Enabled", "false"), ("Webhooks:SecretRotationOverlap", "00:10:00")));
        (_organisation, var ids) = await _portal.CreateOrganisationAsync("ChangeOrg", "DM");
        _application = ids[0];
        _admin = new PortalClient(_portal);
        await _admin.SignInAsAdministratorAsync();
        _manager = await _admin.InviteAndOnboardAsync(Manager, _organisation, [_application], "Changes Manager");
        await DeliverPendingAsync(_portal);
        _portal.Mail.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Client.Dispose();
        _admin.Dispose();
        await _portal.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Changing_the_address_keeps_the_secret_is_audited_and_passes_the_same_checks_as_registration()
    {
        var (id, secret) = await RegisterAsync(_portal, _receiver.Address + "first?token=receiver-token", _application);
        var path = $"/webhooks/{id}";
        var webhooks = new WebhookPages(_manager.Client);

        // The form shows the address as every page does, without the receiver's token; sent back as shown, it is kept.
        var form = await webhooks.EditFormAsync(path);
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.DoesNotContain("receiver-token", form.Body, StringComparison.Ordinal);
        Assert.Equal(WebhookEventTypes.Choosable.Select(c => c.Type), CheckedEventTypes(form));
        await webhooks.EditAsync(path, description: "renamed receiver");
        var kept = await EndpointAsync(_portal, id);
        Assert.Equal((_receiver.Address + "first?token=receiver-token", "renamed receiver"), (kept.Url, kept.Description));

        var notAnAddress = await webhooks.EditAsync(path, url: "not an address");
        Assert.Equal(HttpStatusCode.OK, notAnAddress.Status);
        Assert.Contains("Enter a full https:// address", notAnAddress.Errors, StringComparison.Ordinal);
        var withPassword = await webhooks.EditAsync(path, url: "https://user:password@hooks.partner.example/");
        Assert.Contains("Leave the user name and password out", withPassword.Errors, StringComparison.Ordinal);
        Assert.Equal(kept.Url, (await EndpointAsync(_portal, id)).Url);

        var saved = await webhooks.EditAsync(path, url: _receiver.Address + "second");
        Assert.Equal(path, saved.Path);
        Assert.Contains("signing secret is unchanged", saved.Text, StringComparison.Ordinal);
        await webhooks.SendTestEventAsync(saved);
        await _portal.RunNextPassAsync<OutboxSender>();
        var received = Assert.Single(_receiver.Received);
        Assert.Equal("/second", received.Path);
        Assert.True(HasValidSignature(received, secret, _portal.Time.GetUtcNow()));

        await using var db = _portal.CreateDbContext();
        var changes = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.WebhookChanged).OrderBy(e => e.Id).Select(e => e.Details!).ToListAsync();
        Assert.Equal(2, changes.Count);
        Assert.Contains("description", changes[0], StringComparison.Ordinal);
        Assert.Contains("/first?… → " + _receiver.Address + "second", changes[1], StringComparison.Ordinal);
        Assert.DoesNotContain(changes, c => c.Contains("receiver-token", StringComparison.Ordinal));

        // An endpoint that may not reach private networks cannot be moved onto one.
        var (publicId, _) = await RegisterAsync(_portal, "https://hooks.partner.example/credentials", _application, allowPrivateNetwork: false);
        var refused = await webhooks.EditAsync($"/webhooks/{publicId}", url: "https://127.0.0.1/hooks");
        Assert.Contains("loopback, link-local or private", refused.Errors, StringComparison.Ordinal);
        Assert.Equal("https://hooks.partner.example/credentials", (await EndpointAsync(_portal, publicId)).Url);
    }

    [Fact]
    public async Task Rotating_the_secret_signs_with_both_secrets_during_the_overlap_then_with_the_new_one_only()
    {
        var (id, oldSecret) = await RegisterAsync(_portal, _receiver.Address + "rotated", _application);
        var path = $"/webhooks/{id}";
        var webhooks = new WebhookPages(_manager.Client);

        var (shown, newSecret) = await webhooks.RotateAsync(path);
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Contains("no-store", shown.Response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var overlapEnd = _portal.Time.GetUtcNow().UtcDateTime.AddMinutes(10).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains($"Until {overlapEnd} UTC", shown.Text, StringComparison.Ordinal);
        var endpointPage = await webhooks.EndpointAsync(path);
        Assert.DoesNotContain(newSecret, endpointPage.Body, StringComparison.Ordinal);
        Assert.Contains($"the previous secret also signs until {overlapEnd} UTC", endpointPage.Text, StringComparison.Ordinal);

        await webhooks.SendTestEventAsync(endpointPage);
        await _portal.RunNextPassAsync<OutboxSender>();
        var during = Assert.Single(_receiver.Received);
        Assert.Equal(2, during.Headers["webhook-signature"].Split(' ').Length);
        Assert.True(HasValidSignature(during, newSecret, _portal.Time.GetUtcNow()));
        Assert.True(HasValidSignature(during, oldSecret, _portal.Time.GetUtcNow()));

        // Past the overlap (10 minutes here) the previous secret signs no more.
        await _portal.RunNextPassAsync<OutboxSender>(TimeSpan.FromMinutes(11));
        await SendTestAsync(id);
        await _portal.RunNextPassAsync<OutboxSender>();
        var after = _receiver.Received[^1];
        Assert.NotEqual(during.Headers["webhook-id"], after.Headers["webhook-id"]);
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.True(HasValidSignature(after, newSecret, _portal.Time.GetUtcNow()));
        Assert.False(HasValidSignature(after, oldSecret, _portal.Time.GetUtcNow()));

        await using var db = _portal.CreateDbContext();
        var rotated = Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.WebhookSecretRotated).ToListAsync());
        Assert.Equal(Manager, rotated.Actor);
        Assert.DoesNotContain("whsec_", rotated.Details, StringComparison.Ordinal);
        var stored = await db.WebhookEndpoints.SingleAsync(e => e.Id == id);
        Assert.DoesNotContain(newSecret, stored.ProtectedSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(oldSecret, stored.PreviousProtectedSecret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_logged_message_is_sent_again_with_the_same_id_and_payload_and_a_retrying_one_shows_when_it_is_next_tried()
    {
        var (id, secret) = await RegisterAsync(_portal, _receiver.Address + "again", _application);
        var path = $"/webhooks/{id}";
        var webhooks = new WebhookPages(_manager.Client);
        _receiver.Respond = _ => 400;
        await CreateSecretAsync(_portal, new TokenService.TestApplication(_application, "", ""));
        await _portal.RunNextPassAsync<OutboxSender>();
        var refused = Assert.Single(_receiver.Received);
        var messageId = refused.Headers["webhook-id"];

        var log = await webhooks.EndpointAsync(path);
        Assert.Contains("Failed", log.Text, StringComparison.Ordinal);
        Assert.Equal([messageId], Redeliverable(log));
        _receiver.Respond = _ => 200;
        var queued = await webhooks.RedeliverAsync(log, messageId);
        Assert.Contains($"Message {messageId} is on its way again", queued.Text, StringComparison.Ordinal);
        await _portal.RunNextPassAsync<OutboxSender>();
        var again = _receiver.Received[^1];
        Assert.Equal(2, _receiver.Received.Count);
        Assert.Equal(messageId, again.Headers["webhook-id"]);
        Assert.Equal(refused.Body, again.Body);
        Assert.True(HasValidSignature(again, secret, _portal.Time.GetUtcNow()));
        Assert.Equal([WebhookDeliveryOutcome.Failed, WebhookDeliveryOutcome.Delivered], (await DeliveriesAsync(_portal, id)).Select(d => d.Outcome));

        // Delivered messages can be sent again too: the receiver may have lost what it accepted.
        Assert.Equal([messageId], Redeliverable(await webhooks.EndpointAsync(path)));

        // A message that is retrying shows when it is next tried, and is not offered to send again.
        _receiver.Respond = _ => 503;
        await webhooks.SendTestEventAsync(await webhooks.EndpointAsync(path));
        await _portal.RunNextPassAsync<OutboxSender>();
        var retrying = _receiver.Received[^1].Headers["webhook-id"];
        await using var db = _portal.CreateDbContext();
        var row = await db.OutboxMessages.SingleAsync(m => m.WebhookMessageId == retrying);
        Assert.Equal(OutboxStatus.Pending, row.Status);
        var waiting = await webhooks.EndpointAsync(path);
        Assert.Contains("Waiting to be sent", waiting.Text, StringComparison.Ordinal);
        Assert.Contains(row.NextAttemptAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC", waiting.Text, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", waiting.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(retrying, Redeliverable(waiting));
        var stillWaiting = await webhooks.RedeliverAsync(waiting, retrying);
        Assert.Contains("still waiting to be sent", stillWaiting.Text, StringComparison.Ordinal);
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.WebhookMessageId == retrying));

        var audited = Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.WebhookRedelivered).ToListAsync());
        Assert.Equal(Manager, audited.Actor);
        Assert.Contains(messageId, audited.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_receives_only_the_event_types_chosen_at_registration_and_on_edit()
    {
        var admin = new WebhookPages(_admin);
        Assert.Equal(WebhookEventTypes.Choosable.Select(c => c.Type), CheckedEventTypes(await admin.RegisterFormAsync()));
        var none = await admin.SubmitRegistrationAsync(ApplicationTarget(_application), _receiver.Address + "none", eventTypes: []);
        Assert.Contains("Choose at least one event", none.Errors, StringComparison.Ordinal);

        var deletedOnly = (await admin.RegisterAsync(ApplicationTarget(_application), _receiver.Address + "deleted-only", allowPrivateNetwork: true,
            eventTypes: [WebhookEventTypes.CredentialDeleted])).EndpointPath;
        Assert.Contains("credential.deleted", (await admin.EndpointAsync(deletedOnly)).Text, StringComparison.Ordinal);
        var (everything, _) = await RegisterAsync(_portal, _receiver.Address + "everything", _application);
        var deletedOnlyId = int.Parse(deletedOnly["/webhooks/".Length..], CultureInfo.InvariantCulture);

        await CreateSecretAsync(_portal, new TokenService.TestApplication(_application, "", ""));
        Assert.Equal((0, 1), (await QueuedAsync(deletedOnlyId, WebhookEventTypes.CredentialCreated), await QueuedAsync(everything, WebhookEventTypes.CredentialCreated)));

        var manager = new WebhookPages(_manager.Client);
        Assert.Equal([WebhookEventTypes.CredentialDeleted], CheckedEventTypes(await manager.EditFormAsync(deletedOnly)));
        Assert.Contains("Choose at least one event", (await manager.EditAsync(deletedOnly, eventTypes: [])).Errors, StringComparison.Ordinal);
        await manager.EditAsync(deletedOnly, eventTypes: [WebhookEventTypes.CredentialCreated, WebhookEventTypes.CredentialDeleted]);
        await CreateSecretAsync(_portal, new TokenService.TestApplication(_application, "", ""), "second");
        Assert.Equal((1, 2), (await QueuedAsync(deletedOnlyId, WebhookEventTypes.CredentialCreated), await QueuedAsync(everything, WebhookEventTypes.CredentialCreated)));

        await using var db = _portal.CreateDbContext();
        Assert.Contains("event types credential.created, credential.deleted",
            (await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.WebhookChanged)).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_manager_sees_the_organisation_s_endpoints_read_only_and_managers_elsewhere_do_not()
    {
        var admin = new WebhookPages(_admin);
        var endpoint = (await admin.RegisterAsync(OrganisationTarget(_organisation), "https://hooks.partner.example/org?token=receiver-token",
            "Registry operations", eventTypes: [WebhookEventTypes.CredentialCreated, WebhookEventTypes.CredentialDeleted])).EndpointPath;
        var manager = new WebhookPages(_manager.Client);

        var list = await manager.ListAsync();
        Assert.Contains("ChangeOrg (organisation)", AdminPages.TableText(list), StringComparison.Ordinal);
        Assert.Contains("managed by the administrators", AdminPages.TableText(list), StringComparison.Ordinal);
        var page = await manager.EndpointAsync(endpoint);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        foreach (var expected in new[] { "https://hooks.partner.example/org?…", "Registry operations", "credential.created", "credential.deleted", "Active", "administrators manage it" })
        {
            Assert.Contains(expected, page.Text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("receiver-token", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Delivery log", page.Text, StringComparison.Ordinal);
        Assert.Empty(ManagementActions(page));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.EditFormAsync(endpoint)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.RotateFormAsync(endpoint)).Status);
        foreach (var handler in new[] { "Test", "Disable", "Delete", "Redeliver" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await manager.PostHandlerAsync(endpoint, handler)).Status);
        }

        // The administrator manages it.
        Assert.Equal(5, ManagementActions(await admin.EndpointAsync(endpoint)).Count);

        // A credential manager of another organisation sees nothing of it.
        var (otherOrganisation, otherApplications) = await _portal.CreateOrganisationAsync("OtherOrg", "DM");
        using var other = (await _admin.InviteAndOnboardAsync("other.manager@otherorg.example", otherOrganisation, otherApplications, "Other Manager")).Client;
        var outsider = new WebhookPages(other);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.EndpointAsync(endpoint)).Status);
        Assert.DoesNotContain("ChangeOrg", (await outsider.ListAsync()).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_an_organisation_endpoint_emails_every_active_user_of_the_organisation()
    {
        const string Disabled = "disabled.user@changeorg.example";
        const string Outsider = "outsider@otherorg.example";
        var (otherOrganisation, otherApplications) = await _portal.CreateOrganisationAsync("OtherOrg", "DM");
        (await _admin.InviteAndOnboardAsync(Disabled, _organisation, [_application], "Disabled User")).Client.Dispose();
        (await _admin.InviteAndOnboardAsync(Outsider, otherOrganisation, otherApplications, "Other User")).Client.Dispose();
        await new AdminPages(_admin).UserActionAsync("Disable", await _portal.UserIdAsync(Disabled));
        var webhooks = new WebhookPages(_admin);
        await webhooks.RegisterAsync(ApplicationTarget(_application), "https://hooks.partner.example/application");
        await DeliverPendingAsync(_portal);
        _portal.Mail.Clear();

        var endpoint = (await webhooks.RegisterAsync(OrganisationTarget(_organisation), "https://hooks.partner.example/org?token=receiver-token",
            "Registry operations")).EndpointPath;
        await DeliverPendingAsync(_portal);

        var mail = Assert.Single(_portal.Mail.All());
        Assert.Equal([Manager], mail.To);
        Assert.Equal("New webhook endpoint for ChangeOrg", mail.Subject);
        foreach (var expected in new[] { "https://hooks.partner.example/org?…", PortalFactory.AdminEmail, $"http://localhost{endpoint}" })
        {
            Assert.Contains(expected, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(WebUtility.HtmlEncode(expected), mail.HtmlBody, StringComparison.Ordinal);
        }

        Assert.Contains("every application of ChangeOrg", mail.TextBody, StringComparison.Ordinal);

        Assert.DoesNotContain("receiver-token", mail.Raw, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.NotificationQueued
            && e.Details!.Contains("New webhook endpoint for ChangeOrg") && e.OrganisationId == _organisation).ToListAsync());
    }

    private async Task<int> QueuedAsync(int endpointId, string eventType)
    {
        await using var db = _portal.CreateDbContext();
        return await db.OutboxMessages.CountAsync(m => m.WebhookEndpointId == endpointId && m.WebhookEventType == eventType);
    }

    private async Task SendTestAsync(int endpointId)
    {
        using var scope = _portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Data.CredentialPortalDbContext>();
        await scope.ServiceProvider.GetRequiredService<WebhookEndpointManagement>().SendTestAsync(await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId));
    }
}
