using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CredentialPortal.Reminders;

public static class ReminderRegistration
{
    /// <summary>
    /// Registers the reminder pass and the background service that runs it (configuration section
    /// <c>Reminders</c>, see <see cref="ReminderOptions"/>). Register after the store and the first-start setup, so
    /// that the start-up pass finds the migrated schema.
    /// </summary>
    public static IHostApplicationBuilder AddReminders(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<ReminderOptions, ReminderOptionsValidator>(ReminderOptions.SectionName);
        builder.Services.AddSingleton<ReminderPass>();
        builder.Services.AddSingleton<UnusedCredentialsDigest>();
        builder.Services.AddSingleton<IOutboxDeliveryCheck, ReminderStillDue>();
        builder.Services.AddHostedService<ReminderService>();
        return builder;
    }
}
