namespace CredentialPortal.Web.Hosting;

public enum StartupAction
{
    /// <summary>Run the product (portal, token service, reminders).</summary>
    Serve,

    /// <summary>Apply pending migrations and exit.</summary>
    Migrate,

    /// <summary>Print the schema the EF model describes, as SQL for the configured provider, and exit.</summary>
    SchemaScript,

    /// <summary>Copy the SQLite database, consistently and while the product runs, to <see cref="StartupCommand.BackupFile"/>, and exit.</summary>
    Backup,
}

/// <summary>The command line: an optional verb, <c>--seed-demo</c>, and the usual host arguments.</summary>
public sealed record StartupCommand(StartupAction Action, bool SeedDemo, string[] HostArgs, string? Error = null)
{
    public const string Usage =
        "usage: CredentialPortal.Web [migrate | schema-script | backup <file>] [--seed-demo] [--Section:Key=value ...]";

    /// <summary>Where <c>backup</c> writes the copy.</summary>
    public string? BackupFile { get; init; }

    public static StartupCommand Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var action = StartupAction.Serve;
        var seedDemo = false;
        string? backupFile = null;
        var hostArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "migrate":
                    action = StartupAction.Migrate;
                    break;
                case "schema-script":
                    action = StartupAction.SchemaScript;
                    break;
                case "backup" when i + 1 < args.Length && !args[i + 1].StartsWith('-'):
                    action = StartupAction.Backup;
                    backupFile = args[++i];
                    break;
                case "backup":
                    return new StartupCommand(action, seedDemo, [], "backup needs the file to write, e.g. backup /var/backups/credentialportal.db");
                case "--seed-demo":
                    seedDemo = true;
                    break;
                case "-h" or "--help":
                    return new StartupCommand(action, seedDemo, [], Usage);
                case var key when key.StartsWith('-') && !key.Contains('=') && i + 1 < args.Length:
                    // "--Key value": a host setting in two arguments.
                    hostArgs.Add(key);
                    hostArgs.Add(args[++i]);
                    break;
                case var setting when setting.StartsWith('-') || setting.Contains('='):
                    hostArgs.Add(setting);
                    break;
                default:
                    return new StartupCommand(action, seedDemo, [], $"unknown command '{args[i]}'");
            }
        }

        return new StartupCommand(action, seedDemo, [.. hostArgs]) { BackupFile = backupFile };
    }
}
