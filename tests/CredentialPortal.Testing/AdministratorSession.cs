using CredentialPortal.Testing.Account;

namespace CredentialPortal.Testing;

/// <summary>
/// One portal (SQLite) with the first administrator signed in, shared by every test of a class through
/// <c>IClassFixture&lt;AdministratorSession&gt;</c>: for tests that only read, or change nothing another test looks at,
/// so that the class starts one host instead of one per test.
/// </summary>
public sealed class AdministratorSession : IAsyncDisposable
{
    private readonly Lazy<Task> _started;

    public AdministratorSession() => _started = new Lazy<Task>(StartAsync);

    public PortalFactory Portal { get; private set; } = null!;
    public PortalClient Admin { get; private set; } = null!;

    /// <summary>Starts the portal and signs in on first use; later calls return at once.</summary>
    public Task ReadyAsync() => _started.Value;

    private async Task StartAsync()
    {
        Portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        Admin = new PortalClient(Portal);
        await Admin.SignInAsAdministratorAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_started.IsValueCreated)
        {
            Admin?.Dispose();
            if (Portal is not null)
            {
                await Portal.DisposeAsync();
            }
        }
    }
}
