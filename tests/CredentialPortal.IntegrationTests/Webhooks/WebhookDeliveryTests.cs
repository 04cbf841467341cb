using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;

namespace CredentialPortal.IntegrationTests.Webhooks;

public sealed class WebhookDeliveryTests
{
    private static readonly string[] CredentialEvents = ["credential.created", "credential.deleted", "credential.disabled", "credential.enabled"];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Credential_changes_reach_the_receiver_signed_once_each_with_the_payload_and_never_the_secret(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var receiver = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(provider, Settings());
        var application = await CreateApplicationAsync(portal);
        var (endpointId, secret) = await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);

        var secretId = await CreateSecretAsync(portal, application, "rotation 2026");
        var management = new SecretManagementScope(portal);
        await management.ChangeAsync(secretId, (m, app, s) => m.DisableAsync(app, s, new AuditActor(Owner), confirmedLastCredential: true));
        await management.ChangeAsync(secretId, (m, app, s) => m.EnableAsync(app, s, new AuditActor(Owner)));
        await management.ChangeAsync(secretId, (m, app, s) => m.DeleteAsync(app, s, new AuditActor(Owner), confirmedLastCredential: true));

        await portal.RunNextPassAsync<OutboxSender>();

        var received = receiver.Received;
        Assert.Equal(CredentialEvents,
            received.Select(r => Json(r).GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        Assert.All(received, r => Assert.True(HasValidSignature(r, secret, portal.Time.GetUtcNow()), "signature"));
        Assert.Equal(4, received.Select(r => r.Headers["webhook-id"]).Distinct().Count());
        var created = Json(received.Single(r => Json(r).GetProperty("type").GetString() == "credential.created"));
        Assert.Equal(created.GetProperty("id").GetString(), received.Single(r => Json(r).GetProperty("type").GetString() == "credential.created").Headers["webhook-id"]);
        var data = created.GetProperty("data");
        Assert.Equal(application.Name, data.GetProperty("application_name").GetString());
        Assert.Equal(application.ClientId, data.GetProperty("client_id").GetString());
        Assert.Equal("rotation 2026", data.GetProperty("credential_name").GetString());
        Assert.Matches("^cpsk_[0-9A-Za-z]{3}$", data.GetProperty("credential_hint").GetString());
        Assert.EndsWith("Z", data.GetProperty("expires_at").GetString(), StringComparison.Ordinal);
        Assert.Equal("secret", data.GetProperty("credential_kind").GetString());
        // Exactly these fields: nothing that could carry a secret's value or hash.
        Assert.Equal(["application_name", "client_id", "credential_hint", "credential_kind", "credential_name", "expires_at"],
            data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(received, r => Assert.Equal("application/json; charset=utf-8", r.Headers["Content-Type"]));

        var log = await DeliveriesAsync(portal, endpointId);
        Assert.Equal(4, log.Count);
        Assert.All(log, d => Assert.Equal((WebhookDeliveryOutcome.Delivered, 200), (d.Outcome, d.StatusCode)));
        await using var check = portal.CreateDbContext();
        Assert.Equal(4, await check.OutboxMessages.CountAsync(e => e.Channel == OutboxChannel.Webhook && e.Status == OutboxStatus.Sent));
    }

    [Fact]
    public async Task A_500_is_retried_later_with_the_same_webhook_id_and_a_fresh_signature()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = r => receiver.Received.Count <= 2 ? 500 : 200;
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        var (endpointId, secret) = await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);

        await CreateSecretAsync(portal, application);
        await portal.RunNextPassAsync<OutboxSender>();
        Assert.Single(receiver.Received);
        await portal.RunNextPassAsync<OutboxSender>(); // 10 s later: not due yet (back-off starts at 1 minute)
        Assert.Single(receiver.Received);
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromMinutes(2));
        await portal.RunNextPassAsync<OutboxSender>();

        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        Assert.Single(received.Select(r => r.Headers["webhook-id"]).Distinct());
        Assert.Equal(3, received.Select(r => r.Headers["webhook-timestamp"]).Distinct().Count());
        Assert.All(received, r => Assert.True(HasValidSignature(r, secret, portal.Time.GetUtcNow()), "signature"));
        var log = await DeliveriesAsync(portal, endpointId);
        Assert.Equal([WebhookDeliveryOutcome.Retrying, WebhookDeliveryOutcome.Retrying, WebhookDeliveryOutcome.Delivered], log.Select(d => d.Outcome));
        Assert.Equal([1, 2, 3], log.Select(d => d.Attempt));
        Assert.DoesNotContain(log, d => d.Error?.Contains("must not be stored", StringComparison.Ordinal) == true);
        Assert.False((await EndpointAsync(portal, endpointId)).IsDisabled);
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_at_once_drops_its_queue_and_tells_those_who_manage_it()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = _ => 410;
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        var (endpointId, _) = await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);

        // Three messages queued together, so that they are all waiting when the first one meets the 410.
        using (var scope = portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var secrets = scope.ServiceProvider.GetRequiredService<SecretManagement>();
            var app = await db.Applications.SingleAsync(a => a.Id == application.Id);
            await using var transaction = await db.Database.BeginTransactionAsync();
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await secrets.CreateAsync(app, $"batch {i}", CredentialExpiryPolicy.ExpiresAtFor(DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime.AddDays(30))), new AuditActor(Owner))).Succeeded);
            }

            await transaction.CommitAsync();
        }

        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromHours(2));
        await portal.RunNextPassAsync<OutboxSender>();
        await CreateSecretAsync(portal, application, "after the 410");
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Single(receiver.Received);
        var endpoint = await EndpointAsync(portal, endpointId);
        Assert.True(endpoint.IsDisabled);
        Assert.Contains("410", endpoint.DisabledReason, StringComparison.Ordinal);
        await DeliverPendingAsync(portal);
        await using var db2 = portal.CreateDbContext();
        var webhookRows = await db2.OutboxMessages.Where(e => e.Channel == OutboxChannel.Webhook).ToListAsync();
        Assert.Equal([OutboxStatus.Failed, OutboxStatus.Dropped, OutboxStatus.Dropped], webhookRows.Select(e => e.Status).Order());
        Assert.All(webhookRows, e => Assert.Equal((endpointId, "credential.created", null), (e.WebhookEndpointId, e.WebhookEventType, e.Recipients)));
        // A webhook given up is audited as a webhook, not as a failed email: the dashboard's failed-email count stays 0.
        var failed = webhookRows.Single(e => e.Status == OutboxStatus.Failed);
        var audited = await db2.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.WebhookFailed);
        Assert.Equal($"Webhook {failed.WebhookMessageId} \"credential.created\" to endpoint {endpointId} was not delivered after 1 attempt: "
            + "HTTP 410 Gone: the receiver asked for no more messages", audited.Details);
        Assert.Equal((application.Id, failed.CredentialId), (audited.ApplicationId, audited.CredentialId));
        Assert.False(await db2.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.EmailFailed));
        // The application has no credential manager: its administrators hear, not whoever registered the endpoint.
        Assert.Empty(portal.Mail.To(Owner));
        var notice = Assert.Single(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.StartsWith("Webhook endpoint disabled", StringComparison.Ordinal));
        Assert.Contains("410 Gone", notice.Body, StringComparison.Ordinal);
        Assert.Contains($"/webhooks/{endpointId}", notice.Body, StringComparison.Ordinal);
        Assert.True(await db2.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.WebhookDisabled && e.ApplicationId == application.Id));
    }

    [Fact]
    public async Task Repeated_refusals_fail_each_message_without_retry_and_then_disable_the_endpoint()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = _ => 400;
        await using var portal = await PortalFactory.StartAsync(settings: Settings(("Webhooks:DisableAfterFailures", "2")));
        var application = await CreateApplicationAsync(portal);
        var (endpointId, _) = await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);

        await CreateSecretAsync(portal, application, "first");
        await portal.RunNextPassAsync<OutboxSender>();
        Assert.False((await EndpointAsync(portal, endpointId)).IsDisabled);
        await CreateSecretAsync(portal, application, "second");
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromHours(2));
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Equal(2, receiver.Received.Count);
        Assert.True((await EndpointAsync(portal, endpointId)).IsDisabled);
        Assert.Equal([WebhookDeliveryOutcome.Failed, WebhookDeliveryOutcome.Failed], (await DeliveriesAsync(portal, endpointId)).Select(d => d.Outcome));
        await DeliverPendingAsync(portal);
        Assert.Single(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.StartsWith("Webhook endpoint disabled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Organisation_endpoints_hear_about_every_application_and_an_application_deactivated()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        int organisationId;
        await using (var db = portal.CreateDbContext())
        {
            organisationId = (await db.Applications.SingleAsync(a => a.Id == application.Id)).OrganisationId;
        }

        await RegisterAsync(portal, receiver.Address.ToString(), organisationId: organisationId);
        // Through the administrator's form, the one path that deactivates an application (and queues its webhooks).
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var saved = await new AdminPages(admin).DeactivateApplicationAsync(application.Id);
        Assert.True(saved.Text.Contains("saved", StringComparison.Ordinal), saved.Errors + saved.Status);
        await portal.RunNextPassAsync<OutboxSender>();

        var message = Json(Assert.Single(receiver.Received));
        Assert.Equal("application.deactivated", message.GetProperty("type").GetString());
        Assert.Equal(application.ClientId, message.GetProperty("data").GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task The_reminder_slots_send_credential_expiring_once_each()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);
        await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(20));

        await portal.RunNextPassAsync<ReminderService>();
        await portal.RunNextPassAsync<ReminderService>();
        await portal.RunNextPassAsync<OutboxSender>();

        var message = Json(Assert.Single(receiver.Received));
        Assert.Equal("credential.expiring", message.GetProperty("type").GetString());
        Assert.Equal(21, message.GetProperty("data").GetProperty("days_before_expiry").GetInt32());
        Assert.StartsWith("msg_expiry_", message.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Runs a SecretManagement change on a fresh scope, loading the application and the secret as the pages do.</summary>
    private sealed class SecretManagementScope(PortalFactory portal)
    {
        public async Task ChangeAsync(int secretId, Func<CredentialLifecycle, Core.Applications.Application, ClientSecret, Task> change)
        {
            using var scope = portal.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var secret = await db.ClientSecrets.Include(s => s.Application).SingleAsync(s => s.Id == secretId);
            await change(scope.ServiceProvider.GetRequiredService<CredentialLifecycle>(), secret.Application, secret);
        }
    }

    [Fact]
    public async Task A_pass_without_the_webhook_channel_leaves_webhook_messages_to_an_instance_that_has_it()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        // The background sender is off: this test runs the passes itself.
        await using var portal = await PortalFactory.StartAsync(settings: Settings(("Email:Outbox:Enabled", "false")));
        var application = await CreateApplicationAsync(portal);
        var (endpointId, _) = await RegisterAsync(portal, receiver.Address.ToString(), applicationId: application.Id);
        await CreateSecretAsync(portal, application, "emails only");
        var services = portal.Services;
        var emailsOnly = new OutboxPass(services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>(),
            services.GetServices<IOutboxChannel>().Where(c => c.Channel == OutboxChannel.Email), services.GetServices<IOutboxDeliveryCheck>(),
            portal.Time, services.GetRequiredService<IOptions<EmailOptions>>(), NullLogger<OutboxPass>.Instance,
            services.GetRequiredService<OutboxMetrics>());

        var withoutWebhooks = await emailsOnly.RunAsync();

        Assert.Equal((0, 0), (withoutWebhooks.Failed, withoutWebhooks.Retrying));
        Assert.Empty(receiver.Received);
        await using (var db = portal.CreateDbContext())
        {
            var waiting = await db.OutboxMessages.SingleAsync(e => e.Channel == OutboxChannel.Webhook);
            Assert.Equal((OutboxStatus.Pending, 0, null, endpointId), (waiting.Status, waiting.Attempts, waiting.ClaimedBy, waiting.WebhookEndpointId));
        }

        var full = await services.GetRequiredService<OutboxPass>().RunAsync();

        Assert.Equal(1, full.Sent);
        Assert.Equal("credential.created", Json(Assert.Single(receiver.Received)).GetProperty("type").GetString());
    }
}
