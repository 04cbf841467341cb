using CredentialPortal.Web.Hosting;
using Serilog;

var command = StartupCommand.Parse(args);
if (command.Error is not null)
{
    Console.Error.WriteLine(command.Error);
    Console.Error.WriteLine(StartupCommand.Usage);
    return 64;
}

Log.Logger = LoggingSetup.CreateBootstrapLogger();
try
{
    // Settings are read once at start, so nothing watches the configuration files: each watcher would hold one of the
    // user's inotify instances (128 on a default Linux, shared with every IDE, browser and container on the machine).
    // An argument given later wins, so --hostBuilder:reloadConfigOnChange=true still turns reloading on.
    var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. command.HostArgs]);
    builder.AddCredentialPortal(command);
    var app = builder.Build();
    return await app.RunCommandAsync(command);
}
catch (Exception ex) when (StartupErrors.IsConfigurationError(ex, out var message))
{
    Console.Error.WriteLine(message);
    return 78;
}
// HostAbortedException: tools (EF, WebApplicationFactory) stop the host on purpose once they have it.
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "The host stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point, referenced by the integration tests' WebApplicationFactory.</summary>
public partial class Program;
