using System.Globalization;
using CredentialPortal.TokenService;
using Microsoft.AspNetCore.StaticAssets;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace CredentialPortal.Web.Hosting;

public static class LoggingSetup
{
    private const string TextTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The logger until the host has its own: start-up failures other than bad configuration are logged.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() => new LoggerConfiguration()
        .WriteTo.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture)
        .CreateBootstrapLogger();

    /// <summary>
    /// Serilog to the console: readable text by default, one JSON object per line with <c>Logging:Format=json</c>.
    /// Levels come from the <c>Serilog</c> section (see appsettings.json); sinks registered as services are added.
    /// </summary>
    public static WebApplicationBuilder AddPortalLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var json = string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase);
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                // Start-up failures are printed by Program as one line naming the setting; the host's own
                // "Hosting failed to start" entry would repeat them with a stack trace.
                .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            logger.WriteTo.Async(console => _ = json
                ? console.Console(new RenderedCompactJsonFormatter())
                : console.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture));
        },
        // Each host its own logger: test hosts run side by side in one process, and the static bootstrap logger
        // stays as it is for Program's last words.
        preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// One line per request: method, path without the query string, status, elapsed time and, when known, the calling
    /// client (bearer token's client_id, or the client the token endpoint authenticated). Headers, forms and query
    /// strings are never logged. Health probes log at Verbose, below the default level.
    /// </summary>
    public static IApplicationBuilder UsePortalRequestLogging(this IApplicationBuilder app) => app.UseSerilogRequestLogging(options =>
    {
        // The host's logger: the static one is only the bootstrap logger (see AddPortalLogging).
        options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        options.IncludeQueryInRequestPath = false;
        options.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
            : context.Request.Path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase) ? LogEventLevel.Verbose
            // Stylesheets and scripts: content-hashed and cached for a year, so a line each says nothing an operator needs.
            : context.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null ? LogEventLevel.Verbose
            : LogEventLevel.Information;
        options.EnrichDiagnosticContext = (diagnostic, context) =>
        {
            if (context.User.FindFirst(AccessTokenAuthentication.ClientIdClaim)?.Value is { } clientId)
            {
                diagnostic.Set("ClientId", clientId);
            }
        };
    });
}
