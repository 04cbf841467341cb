using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.BrowserTests;

/// <summary>The webhook pages in Chromium at a phone's and a laptop's width: nothing scrolls sideways.</summary>
public sealed class WebhookPagesBrowserTests
{
    [Fact]
    public async Task The_webhook_pages_fit_390_and_1280_pixels_and_the_secret_is_shown_once()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var endpointId = await SeedAsync(admin);
        var overflowing = new List<string>();
        foreach (var width in AdminLayoutTests.Widths)
        {
            await admin.Page.SetViewportSizeAsync(width, 900);
            foreach (var (path, name) in new[]
            {
                ("/webhooks", "webhooks"), ($"/webhooks/{endpointId}", "webhook-endpoint"), ($"/webhooks/{endpointId}/edit", "webhook-edit"),
                ($"/webhooks/{endpointId}/rotate", "webhook-rotate"), ("/webhooks/register", "webhook-register"),
            })
            {
                await admin.GotoAsync(path);
                await Browser.ScreenshotAsync(admin.Page, $"{name}-{width}");
                var sizes = await admin.Page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
                if (sizes[0] > sizes[1])
                {
                    overflowing.Add($"{path} at {width} px: the page is {sizes[0]} px wide");
                }
            }

            // Register through the form: the page that shows the secret.
            await admin.Page.SelectOptionAsync("#Input_Target", new[] { $"app:{admin.ApplicationIds[0]}" });
            await admin.Page.FillAsync("#Input_Url", "https://hooks.partner-systems.example/credential-portal/receiver/v1/events");
            await admin.Page.ClickAsync("main form[method=post] button[type=submit]");
            await admin.Page.WaitForSelectorAsync("#new-secret-value");
            Assert.StartsWith("whsec_", await admin.Page.InputValueAsync("#new-secret-value"), StringComparison.Ordinal);
            await Browser.ScreenshotAsync(admin.Page, $"webhook-secret-{width}");
            var shown = await admin.Page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
            // A long application name in the label once widened the copy field's grid past the phone's width.
            Assert.True(shown[0] <= shown[1], $"the secret page is {shown[0]} px wide at {width} px");

            // Rotate: the page that shows the new secret and until when the previous one signs too.
            await admin.GotoAsync($"/webhooks/{endpointId}/rotate");
            await admin.Page.ClickAsync("main form[method=post] button[type=submit]");
            await admin.Page.WaitForSelectorAsync("#new-secret-value");
            Assert.StartsWith("whsec_", await admin.Page.InputValueAsync("#new-secret-value"), StringComparison.Ordinal);
            await Browser.ScreenshotAsync(admin.Page, $"webhook-rotated-{width}");
            var rotated = await admin.Page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
            Assert.True(rotated[0] <= rotated[1], $"the rotated secret page is {rotated[0]} px wide at {width} px");
        }

        Assert.True(overflowing.Count == 0, string.Join("\n", overflowing));
    }

    /// <summary>
    /// An organisation endpoint and an application endpoint with a long address, a rotated secret, a delivery log in
    /// every state, messages that can be sent again and one waiting for its next attempt.
    /// </summary>
    private static async Task<int> SeedAsync(AdminBrowser admin)
    {
        using var scope = admin.Portal.Services.CreateScope();
        var management = scope.ServiceProvider.GetRequiredService<WebhookEndpointManagement>();
        var actor = new AuditActor("admin@operator.example");
        await using var db = admin.Portal.CreateDbContext();
        var organisationId = db.Applications.Single(a => a.Id == admin.ApplicationIds[0]).OrganisationId;
        await management.RegisterAsync("https://integration.europdonor-registratiecentrum.example/webhooks/credential-portal/v2/notifications?tenant=nl-production-0001",
            "Registry operations", organisationId, null, false, actor);
        var registered = await management.RegisterAsync("https://hooks.partner.example/credentials", "Partner receiver", null, admin.ApplicationIds[0], false, actor,
            [WebhookEventTypes.CredentialCreated, WebhookEventTypes.CredentialDisabled, WebhookEventTypes.CredentialExpiring, WebhookEventTypes.CredentialExpired]);
        var id = registered.Registered!.Endpoint.Id;
        await management.RotateSecretAsync(registered.Registered.Endpoint, actor);
        var now = admin.Portal.Time.GetUtcNow().UtcDateTime;
        db.WebhookDeliveries.AddRange(
            new WebhookDelivery { EndpointId = id, MessageId = "msg_3f1c2d9a8b7e4f60a1b2c3d4e5f60718", EventType = "credential.created", AttemptedAt = now.AddMinutes(-30), Attempt = 1, StatusCode = 503, Outcome = WebhookDeliveryOutcome.Retrying, DurationMilliseconds = 120, Error = "HTTP 503" },
            new WebhookDelivery { EndpointId = id, MessageId = "msg_3f1c2d9a8b7e4f60a1b2c3d4e5f60718", EventType = "credential.created", AttemptedAt = now.AddMinutes(-29), Attempt = 2, StatusCode = 200, Outcome = WebhookDeliveryOutcome.Delivered, DurationMilliseconds = 85 },
            new WebhookDelivery { EndpointId = id, MessageId = "msg_9a8b7c6d5e4f30211a2b3c4d5e6f7081", EventType = "credential.expiring", AttemptedAt = now.AddMinutes(-5), Attempt = 1, Outcome = WebhookDeliveryOutcome.Failed, DurationMilliseconds = 5003, Error = "No answer: Connection refused (hooks.partner.example:443)" },
            new WebhookDelivery { EndpointId = id, MessageId = "msg_5d4c3b2a19f8e7d6c5b4a39281706f5e", EventType = "credential.disabled", AttemptedAt = now.AddMinutes(-2), Attempt = 3, StatusCode = 503, Outcome = WebhookDeliveryOutcome.Retrying, DurationMilliseconds = 230, Error = "HTTP 503" });
        // The outbox rows behind them: two finished (offered to send again) and one waiting for its next attempt.
        Message("msg_3f1c2d9a8b7e4f60a1b2c3d4e5f60718", "credential.created", OutboxStatus.Sent);
        Message("msg_9a8b7c6d5e4f30211a2b3c4d5e6f7081", "credential.expiring", OutboxStatus.Failed);
        var waiting = Message("msg_5d4c3b2a19f8e7d6c5b4a39281706f5e", "credential.disabled", OutboxStatus.Pending);
        (waiting.Attempts, waiting.NextAttemptAt, waiting.LastError) = (3, now.AddMinutes(2), "HTTP 503");
        await db.SaveChangesAsync();
        return id;

        OutboxMessage Message(string messageId, string eventType, OutboxStatus status)
        {
            var message = WebhookOutbox.Add(db, now.AddMinutes(-30), id, eventType, messageId, $$"""{"type":"{{eventType}}","id":"{{messageId}}"}""", organisationId, admin.ApplicationIds[0], null);
            message.Status = status;
            return message;
        }
    }
}
