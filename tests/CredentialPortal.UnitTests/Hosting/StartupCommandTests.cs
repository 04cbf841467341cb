using CredentialPortal.Web.Hosting;

namespace CredentialPortal.UnitTests.Hosting;

public sealed class StartupCommandTests
{
    [Fact]
    public void No_arguments_serve()
    {
        var command = StartupCommand.Parse([]);

        Assert.Equal(StartupAction.Serve, command.Action);
        Assert.False(command.SeedDemo);
        Assert.Null(command.Error);
    }

    [Fact]
    public void Verbs_and_flags_are_recognised_and_host_arguments_passed_on()
    {
        var command = StartupCommand.Parse(["migrate", "--seed-demo", "--Database:Provider=PostgreSql", "--urls", "http://localhost:5000"]);

        Assert.Equal(StartupAction.Migrate, command.Action);
        Assert.True(command.SeedDemo);
        Assert.Equal(["--Database:Provider=PostgreSql", "--urls", "http://localhost:5000"], command.HostArgs);
    }

    [Fact]
    public void An_unknown_verb_is_an_error()
    {
        Assert.Equal("unknown command 'migrat'", StartupCommand.Parse(["migrat"]).Error);
    }

    [Fact]
    public void Backup_takes_the_file_to_write()
    {
        var command = StartupCommand.Parse(["backup", "/var/backups/cp.db", "--Database:DataDirectory=/srv/cp"]);

        Assert.Equal(StartupAction.Backup, command.Action);
        Assert.Equal("/var/backups/cp.db", command.BackupFile);
        Assert.Equal(["--Database:DataDirectory=/srv/cp"], command.HostArgs);
        Assert.Equal("backup needs the file to write, e.g. backup /var/backups/credentialportal.db", StartupCommand.Parse(["backup", "--urls", "x"]).Error);
    }
}
