using System.Net;
using System.Security.Cryptography.X509Certificates;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CredentialPortal.Testing;

/// <summary>
/// The whole product on a throw-away database, a fake clock and a temporary mail folder.
/// Create with <see cref="StartAsync"/>; extra settings are configuration keys such as <c>TokenService:LifetimeSeconds</c>.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@operator.example";
    public const string AdminPassword = "correct horse battery staple admin";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private PortalFactory(TestDatabase database, FakeTimeProvider time, IDictionary<string, string?> settings, TcpFaultProxy? databaseProxy,
        Action<IServiceCollection>? services)
    {
        _services = services;
        Database = database;
        DatabaseProxy = databaseProxy;
        Time = time;
        MailDirectory = Path.Combine(database.Directory, "mail");
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:CredentialPortal"] = databaseProxy is null ? database.ConnectionString
                // Unpooled, so that every database call after a cut meets the refused port and after a restore the live server.
                : new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = databaseProxy.Port, Pooling = false }.ToString(),
            ["Database:DataDirectory"] = database.Directory,
            ["Email:PickupDirectory"] = MailDirectory,
            ["Bootstrap:AdminEmail"] = AdminEmail,
            ["Bootstrap:AdminPassword"] = AdminPassword,
            ["Portal:BaseUrl"] = "http://localhost",
            ["TokenService:Issuer"] = "http://localhost",
            // The tests run as "Testing", not Development; key-ring encryption has its own tests.
            ["DataProtection:AllowUnprotectedKeys"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>With <c>databaseProxy: true</c> (PostgreSQL only), the app's way to its database, which a test can cut.</summary>
    public TcpFaultProxy? DatabaseProxy { get; }
    public FakeTimeProvider Time { get; }
    public string MailDirectory { get; }
    public MailFolder Mail => new(MailDirectory);

    /// <summary>
    /// Starts the portal; with <c>realServer</c> on Kestrel at <c>serverPort</c> (0: any free port), over HTTPS with
    /// <paramref name="httpsCertificate"/> when one is given. <paramref name="services"/> adds test services to the
    /// host itself, e.g. a log sink that sees what the background services log. <paramref name="database"/>: a database
    /// prepared beforehand (e.g. restored from a backup), which the portal then owns and drops; by default a new one.
    /// </summary>
    public static async Task<PortalFactory> StartAsync(
        DatabaseProvider provider = DatabaseProvider.Sqlite,
        IDictionary<string, string?>? settings = null,
        FakeTimeProvider? time = null,
        bool realServer = false,
        bool databaseProxy = false,
        int serverPort = 0,
        X509Certificate2? httpsCertificate = null,
        Action<IServiceCollection>? services = null,
        TestDatabase? database = null)
    {
        database ??= await TestDatabase.CreateAsync(provider);
        TcpFaultProxy? proxy = null;
        if (databaseProxy)
        {
            if (provider != DatabaseProvider.PostgreSql)
            {
                throw new ArgumentException("Only PostgreSQL is reached over TCP.", nameof(databaseProxy));
            }

            var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            proxy = await TcpFaultProxy.StartAsync(server.Host!, server.Port);
        }

        var factory = new PortalFactory(database, time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero)), settings ?? new Dictionary<string, string?>(), proxy, services);
        try
        {
            if (realServer)
            {
                // A browser needs a real socket: Kestrel on a loopback port instead of the in-memory TestServer. A port
                // chosen in advance is for a localhost origin, which a browser may reach on either loopback address.
                IReadOnlyList<IPAddress> addresses = serverPort == 0 ? [IPAddress.Loopback] : LoopbackPorts.Addresses;
                factory.UseKestrel(options =>
                {
                    foreach (var address in addresses)
                    {
                        options.Listen(address, serverPort, listen =>
                        {
                            if (httpsCertificate is not null)
                            {
                                listen.UseHttps(httpsCertificate);
                            }
                        });
                    }
                });
                factory.StartServer();
            }

            _ = factory.Services; // starts the host: migrations and the first administrator
            return factory;
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the portal on Kestrel at <c>http(s)://localhost:PORT</c>, a port known before it starts because
    /// <paramref name="settings"/> (its base URL, a passkey's origin, an issuer) name it. Another server may take the
    /// port between choosing and binding it; then it starts again on a new one.
    /// </summary>
    public static async Task<PortalFactory> StartOnLocalhostAsync(Func<Uri, IDictionary<string, string?>> settings,
        X509Certificate2? httpsCertificate = null, FakeTimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPorts.Free();
            var origin = new Uri($"{(httpsCertificate is null ? "http" : "https")}://localhost:{port}");
            try
            {
                return await StartAsync(settings: settings(origin), time: time, realServer: true, serverPort: port, httpsCertificate: httpsCertificate);
            }
            catch (Exception e) when (attempt < 5 && LoopbackPorts.IsAddressInUse(e))
            {
            }
        }
    }

    /// <summary>The real server's address, e.g. <c>http://127.0.0.1:41234</c> (only with <c>realServer: true</c>).</summary>
    public Uri ServerAddress =>
        new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>The running instance of a background service (e.g. <c>CredentialChangePoller</c>).</summary>
    public TService BackgroundService<TService>() where TService : PeriodicBackgroundService =>
        Services.GetServices<IHostedService>().OfType<TService>().Single();

    /// <summary>
    /// Moves the clock on by the service's interval (or <paramref name="advanceBy"/>, at least that) and waits for the
    /// pass that this starts: afterwards the service has processed everything done before the call, without any wait
    /// on real time.
    /// </summary>
    public async Task RunNextPassAsync<TService>(TimeSpan? advanceBy = null) where TService : PeriodicBackgroundService
    {
        var service = BackgroundService<TService>();
        // Only once the service is parked, with its next timer set: a pass still running (one woken by a commit) would
        // have its own timers fired mid-work (an SMTP send's timeout runs on the injected clock), and a timer set after
        // the clock moved would wait a whole interval more.
        Task pass;
        do
        {
            await service.Parked;
            pass = service.NextPass;
        }
        while (!service.Parked.IsCompleted);

        Time.Advance(advanceBy is { } by && by > service.Interval ? by : service.Interval);
        await pass;
    }

    public CredentialPortalDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>().CreateDbContext();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        // The stylesheets and scripts are served from the project's wwwroot through the build's manifest, as Development
        // does; only a published app has them beside it. (Reading them does not watch them.)
        builder.UseStaticWebAssets();
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            _services?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (DatabaseProxy is not null)
        {
            await DatabaseProxy.DisposeAsync();
        }

        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
