using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.Core.Webhooks;

public static class WebhookRegistration
{
    /// <summary>
    /// Registers webhooks (configuration section <c>Webhooks</c>): the outbox channel that delivers the messages
    /// producers queue with <see cref="WebhookOutbox"/>, and the delivery check that drops messages of disabled endpoints.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.SectionName);
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookHttp>();
        services.AddSingleton<WebhookEndpointDisabler>();
        services.AddSingleton<IOutboxChannel, WebhookSender>();
        services.AddSingleton<IOutboxDeliveryCheck, WebhookEndpointStillEnabled>();
        services.AddScoped<WebhookEndpointManagement>();
        services.AddScoped<WebhookRegistrarNotice>();
        services.AddScoped<WebhookOrganisationNotice>();
        return services;
    }
}
