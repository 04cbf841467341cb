using System.Diagnostics.Metrics;
using System.Net;
using CredentialPortal.Core.Outbox;
using CredentialPortal.TokenService.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CredentialPortal.Web.Hosting;

/// <summary>Configuration section <c>Telemetry</c>. OTLP export is configured by the standard <c>OTEL_*</c> variables.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public PrometheusScrapeOptions Prometheus { get; set; } = new();
}

/// <summary>Section <c>Telemetry:Prometheus</c>: the scrape endpoint, off unless switched on.</summary>
public sealed class PrometheusScrapeOptions
{
    /// <summary>Serve the Prometheus scrape endpoint (default false).</summary>
    public bool Enabled { get; set; }

    /// <summary>Its path (default <c>/metrics</c>).</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// Answer only requests that arrived on this local port (a management port the operator adds to the listen
    /// addresses and keeps off the reverse proxy and the internet), e.g. 9464. Default: any port.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// Answer only clients on loopback (default true), as seen after the trusted proxies' <c>X-Forwarded-For</c>. Set
    /// false to let a Prometheus server elsewhere scrape, together with <see cref="Port"/> and a firewall.
    /// </summary>
    public bool LoopbackOnly { get; set; } = true;
}

/// <summary>
/// OpenTelemetry for the host: ASP.NET Core, runtime and our own meters (<see cref="TokenServiceMetrics"/>,
/// <see cref="OutboxMetrics"/>); traces of ASP.NET Core and EF Core. Exported to a
/// Prometheus scrape endpoint (<c>Telemetry:Prometheus:Enabled</c>) and/or over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (protocol, headers and the rest from the standard <c>OTEL_*</c> variables).
/// With neither, nothing is registered and the meters cost nothing.
/// </summary>
public static class TelemetrySetup
{
    private static readonly string[] OwnMeters = [TokenServiceMetrics.MeterName, OutboxMetrics.MeterName];

    public static WebApplicationBuilder AddPortalTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ReadOptions(builder.Configuration);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!options.Prometheus.Enabled && !otlp)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "credential-portal"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(OwnMeters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        // A listener hears meters of those names from every host in the process; keep only this host's (and the
        // runtime's, which belong to no host). One host per process in production; tests run many side by side.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
        {
            var own = services.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => instrument.Meter.Scope is IMeterFactory other && !ReferenceEquals(other, own)
                ? MetricStreamConfiguration.Drop : null);
        });
        if (otlp)
        {
            // Traces only go out over OTLP; without a collector they would be built for nobody.
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbeOrScrape(context.Request.Path, options))
                .AddEntityFrameworkCoreInstrumentation());
            // Metrics and traces; logs stay with Serilog.
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// The scrape endpoint, as early as possible (after the forwarded headers, so the loopback check sees the real
    /// client): scrapes neither need a session nor belong in the request log. A scrape from elsewhere gets a bare 404.
    /// </summary>
    public static WebApplication UsePortalTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = ReadOptions(app.Configuration).Prometheus;
        if (options.Enabled)
        {
            app.Use((context, next) =>
            {
                if (context.Request.Path == options.Path && !MayScrape(context.Connection, options))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
            app.UseOpenTelemetryPrometheusScrapingEndpoint(options.Path);
        }

        return app;
    }

    /// <summary>Whether a connection may read the scrape endpoint: on the management port if one is set, from loopback unless allowed otherwise.</summary>
    public static bool MayScrape(ConnectionInfo connection, PrometheusScrapeOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        return (options.Port is not { } port || connection.LocalPort == port)
            && (!options.LoopbackOnly || (connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)));
    }

    private static bool IsProbeOrScrape(PathString path, TelemetryOptions options) =>
        path.StartsWithSegments("/healthz") || (options.Prometheus.Enabled && path == options.Prometheus.Path);

    private static TelemetryOptions ReadOptions(IConfiguration configuration) =>
        configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
}
