using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.Core.Webhooks;

public static class WebhookRegistration
{
    /// <summary>
    /// Registers webhooks (configuration section <c>Webhooks</c>): the interceptor that derives messages from
    /// credential changes, the outbox transport that delivers them and the delivery check that drops messages of
    /// disabled endpoints. Part of the store, so that every context gets the interceptor.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.SectionName);
        // WebhookOutbox and the interceptor come with every context (StoreRegistration.AddDbContext).
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookHttp>();
        services.AddSingleton<WebhookEndpointDisabler>();
        services.AddSingleton<IOutboxTransport, WebhookSender>();
        services.AddSingleton<IOutboxDeliveryCheck, WebhookEndpointStillEnabled>();
        services.AddScoped<WebhookEndpointManagement>();
        return services;
    }
}
