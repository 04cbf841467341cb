using CredentialPortal.Core.Email.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CredentialPortal.Core.Email;

public static class EmailRegistration
{
    /// <summary>
    /// Registers <see cref="IEmailSender"/> with the options of section <c>Email</c>, checked at start-up, and the email
    /// outbox every email goes through: <see cref="EmailOutbox"/> to queue, <see cref="OutboxSender"/> to deliver
    /// (section <c>Email:Outbox</c>). Without an SMTP host, mail goes to <c>Email:PickupDirectory</c>, by default a
    /// <c>mail</c> folder in <paramref name="dataDirectory"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .PostConfigure(email => email.PickupDirectory ??= Path.Combine(dataDirectory, "mail"))
            .ValidateDataAnnotations()
            // Data annotations do not reach nested objects; the SMTP settings are checked here.
            .Validate(email => email.Smtp.Port is >= 1 and <= 65535, "Email:Smtp:Port must be between 1 and 65535.")
            .Validate(email => Enum.IsDefined(email.Smtp.Security),
                "Email:Smtp:Security must be None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable.")
            .Validate(email => email.Smtp.TimeoutMilliseconds is >= 1000 and <= 600_000,
                "Email:Smtp:TimeoutMilliseconds must be between 1000 and 600000.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<EmailOutbox>();
        builder.Services.AddSingleton<OutboxMetrics>();
        builder.Services.AddSingleton<OutboxPass>();
        builder.Services.AddHostedService<OutboxSender>();
        return builder;
    }
}
