using CredentialPortal.Web.Hosting;

var command = StartupCommand.Parse(args);
if (command.Error is not null)
{
    Console.Error.WriteLine(command.Error);
    Console.Error.WriteLine(StartupCommand.Usage);
    return 64;
}

try
{
    var builder = WebApplication.CreateBuilder(command.HostArgs);
    builder.AddCredentialPortal(command);
    var app = builder.Build();
    return await app.RunCommandAsync(command);
}
catch (Exception ex) when (StartupErrors.IsConfigurationError(ex, out var message))
{
    Console.Error.WriteLine(message);
    return 78;
}

/// <summary>Entry point, referenced by the integration tests' WebApplicationFactory.</summary>
public partial class Program;
