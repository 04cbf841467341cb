using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CredentialPortal.Core.Email;

public static class EmailRegistration
{
    /// <summary>
    /// Registers <see cref="IEmailSender"/> with the options of section <c>Email</c>, checked at start-up, and the outbox
    /// every email goes through: <see cref="EmailOutbox"/> to queue, <see cref="OutboxSender"/> to deliver through
    /// <see cref="EmailChannel"/> and the other channels registered (section <c>Email:Outbox</c>, <see cref="EmailOptions.Outbox"/>). Without an SMTP host, mail goes to <c>Email:PickupDirectory</c>, by default a
    /// <c>mail</c> folder in <paramref name="dataDirectory"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddValidatedOptions<EmailOptions, EmailOptionsValidator>(EmailOptions.SectionName)
            .PostConfigure(email => email.PickupDirectory ??= Path.Combine(dataDirectory, "mail"));
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddScoped<EmailOutbox>();
        builder.Services.AddSingleton<IOutboxChannel, EmailChannel>();
        builder.Services.AddSingleton<OutboxMetrics>();
        builder.Services.AddSingleton<OutboxPass>();
        builder.Services.AddHostedService<OutboxSender>();
        return builder;
    }
}
