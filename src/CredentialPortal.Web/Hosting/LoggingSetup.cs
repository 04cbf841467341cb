using System.Globalization;
using CredentialPortal.Core;
using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.StaticAssets;
using Serilog;
using Serilog.AspNetCore;
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

    /// <summary>Setting: the level of a successful token request's line (default Debug, below the default level).</summary>
    public const string SuccessfulTokenRequestsSetting = "Logging:SuccessfulTokenRequests";

    /// <summary>
    /// One line per request: method, path without the query string, status, elapsed time and, when known, the calling
    /// client (bearer token's client_id, or the client the token endpoint authenticated). Headers, forms and query
    /// strings are never logged. Health probes log at Verbose, below the default level. Successful token requests log
    /// at <see cref="SuccessfulTokenRequestsSetting"/> (Debug unless set): at thousands of tokens a second their lines
    /// cost as much CPU as issuing the tokens (bench/token-endpoint.sh), and the token metrics and each credential's
    /// "last used" already count them; refused token requests are always logged.
    /// </summary>
    public static IApplicationBuilder UsePortalRequestLogging(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Read here, not in the options callback, so that a bad value stops the start instead of the first request.
        var tokenSuccess = SuccessfulTokenRequestsLevel(app.ApplicationServices.GetRequiredService<IConfiguration>());
        return app.UseSerilogRequestLogging(options => Configure(options, app.ApplicationServices, tokenSuccess));
    }

    private static void Configure(RequestLoggingOptions options, IServiceProvider services, LogEventLevel tokenSuccess)
    {
        // The host's logger: the static one is only the bootstrap logger (see AddPortalLogging).
        options.Logger = services.GetRequiredService<Serilog.ILogger>();
        options.IncludeQueryInRequestPath = false;
        options.GetLevel = (context, _, exception) =>
            (exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError) && !ClientWentAway(context, exception)
                ? LogEventLevel.Error
            : context.Response.StatusCode < StatusCodes.Status400BadRequest
                && context.Request.Path.StartsWithSegments(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase) ? tokenSuccess
            : context.Request.Path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase) ? LogEventLevel.Verbose
            // Stylesheets and scripts: content-hashed and cached for a year, so a line each says nothing an operator needs.
            : context.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null ? LogEventLevel.Verbose
            : LogEventLevel.Information;
        options.EnrichDiagnosticContext = (diagnostic, context) =>
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                // The line's status then says what would have been answered (500 for the cancellation): nobody got it.
                diagnostic.Set("ClientAborted", true);
            }

            if (context.User.FindFirst(AccessTokenAuthentication.ClientIdClaim)?.Value is { } clientId)
            {
                diagnostic.Set("ClientId", clientId);
            }
        };
    }

    /// <summary>
    /// The client gave up before the answer (a readiness probe's timeout on a busy machine, a closed browser tab): the
    /// cancellation that ends the request is not a fault of ours, so its line keeps the path's usual level.
    /// </summary>
    private static bool ClientWentAway(HttpContext context, Exception? exception) =>
        context.RequestAborted.IsCancellationRequested && exception is null or OperationCanceledException;

    private static LogEventLevel SuccessfulTokenRequestsLevel(IConfiguration configuration) =>
        configuration[SuccessfulTokenRequestsSetting] is not { Length: > 0 } value ? LogEventLevel.Debug
        : Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level) ? level
        : throw new ConfigurationException(SuccessfulTokenRequestsSetting,
            $"'{value}' is not a log level; use Verbose, Debug, Information, Warning, Error or Fatal.");
}
