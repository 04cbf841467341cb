using System.Diagnostics;
using System.Globalization;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Reminders;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: bench/reminders.sh [secrets]
// Fills a fresh SQLite database (real migrations) with N secrets (default 1,000,000; 10 per application, expiries
// spread over -30 … +365 days, 5 % disabled), each with the NextReminderAt a new row gets (the column's default: the
// next pass looks at it, as at every credential after the upgrade that added the column), then times
//   1. the first pass: its query part (ReminderPass.FindDueAsync, cold and warm), then, with its due slots marked
//      delivered, the rest of it (ReminderPass.RunAsync: nothing left to claim, each credential moved on to its next slot);
//   2. a steady-state pass (ReminderPass.RunAsync with nothing due), what every pass but the first after midnight does,
//      and the query part of that first pass after midnight.
// Target (docs/development.md, Benchmarks): the steady-state pass <= 0.5 s, constant memory.
// "seed-reminders {provider} {connection string} {count}" instead seeds due reminders for bench/outbox-crash.sh.
if (args is ["seed-reminders", var seedProvider, var seedConnection, var seedCount])
{
    await ReminderSeed.RunAsync(Enum.Parse<DatabaseProvider>(seedProvider), seedConnection, int.Parse(seedCount, CultureInfo.InvariantCulture));
    return;
}

var secrets = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
const int SecretsPerApplication = 10;
var folder = Path.Combine(Path.GetTempPath(), "credentialportal-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db") }.ToString();
var now = DateTime.UtcNow;

var services = StoreRegistration.AddDbContext(new ServiceCollection(), DatabaseProvider.Sqlite, connectionString)
    .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .AddSingleton(TimeProvider.System)
    .AddSingleton<DatabaseMigrator>()
    .AddSingleton<ReminderPass>()
    .AddSingleton<IPortalLinks, BenchLinks>();
services.AddOptions<ReminderOptions>();
await using var provider = services.BuildServiceProvider();
var pass = provider.GetRequiredService<ReminderPass>();

try
{
    // As the product migrates: SQLite in write-ahead-log mode, where a pass's commits do not each cost an fsync.
    await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync();

    var fill = Stopwatch.StartNew();
    await FillAsync(connectionString, secrets, SecretsPerApplication, now);
    Console.WriteLine($"filled {secrets:N0} secrets in {secrets / SecretsPerApplication:N0} applications in {fill.Elapsed.TotalSeconds:F1} s " +
        $"({new FileInfo(Path.Combine(folder, "bench.db")).Length / 1024 / 1024} MiB)");

    var (due, _) = await MeasureAsync("first pass, due query (cold)", () => CountDueAsync(pass, now));
    await MeasureAsync("first pass, due query (warm)", () => CountDueAsync(pass, now));
    Console.WriteLine($"  {due:N0} slots due");

    // Every due slot delivered, as by the first pass's claims; its remaining work is moving each credential on.
    await MarkDueAsDeliveredAsync(pass, connectionString, now);
    var (rest, _) = await MeasureAsync("first pass, the rest (nothing left to claim; every credential moved on to its next slot)", async () => await pass.RunAsync());
    var (claimed, steady) = await MeasureAsync("steady-state pass (query + send phase, nothing due)", async () => await pass.RunAsync());
    var (again, _) = await MeasureAsync("steady-state pass again", async () => await pass.RunAsync());
    // The day's one busier pass: the first after midnight reads the credentials whose next slot starts then.
    var nextMidnight = now.Date.AddDays(1);
    var (dueNextDay, _) = await MeasureAsync("first pass after the next midnight, due query", () => CountDueAsync(pass, nextMidnight));
    Console.WriteLine($"  {dueNextDay:N0} slots due");
    if (due == 0 || rest + claimed + again > 0 || await CountDueAsync(pass, now) > 0)
    {
        // Figures of a pass that does not do its work measure nothing.
        throw new InvalidOperationException($"the reminder pass is broken: {due:N0} slots due at first, {rest + claimed + again:N0} claimed again");
    }

    using var process = Process.GetCurrentProcess();
    Console.WriteLine($"process peak working set {process.PeakWorkingSet64 / 1024 / 1024:N0} MiB (includes SQLite's page cache and the bulk fill)");
    Console.WriteLine($"target: steady-state pass <= 0.5 s; it took {steady.TotalSeconds:F4} s");
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static async Task<int> CountDueAsync(ReminderPass pass, DateTime now)
{
    var count = 0;
    await foreach (var _ in pass.FindDueAsync(now))
    {
        count++;
        if (count % 10_000 == 0)
        {
            Memory.Sample();
        }
    }

    return count;
}

static async Task<(int Result, TimeSpan Elapsed)> MeasureAsync(string name, Func<Task<int>> action)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    Memory.Reset();
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var result = await action();
    watch.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    Memory.Sample();
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    // CPU time beside wall time: the development machines are shared, so wall time alone is noisy.
    Console.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F2} s (CPU {cpu.TotalSeconds:F2} s), allocated {allocated / 1024 / 1024:N0} MiB in total, " +
        $"peak managed heap {Memory.PeakBytes / 1024 / 1024:N0} MiB, working set {Environment.WorkingSet / 1024 / 1024:N0} MiB");
    return (result, watch.Elapsed);
}

static async Task FillAsync(string connectionString, int secrets, int perApplication, DateTime now)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
    await using (var organisation = connection.CreateCommand())
    {
        organisation.CommandText = """INSERT INTO "Organisations" ("Name", "CountryCode", "IsActive", "CreatedAt") VALUES ('BenchOrg', 'NL', 1, $now)""";
        organisation.Parameters.AddWithValue("$now", now);
        await organisation.ExecuteNonQueryAsync();
    }

    await using var application = connection.CreateCommand();
    application.CommandText = """
        INSERT INTO "Applications" ("ClientId", "Name", "OrganisationId", "ApiCode", "IsSandboxOnly", "IsActive", "CredentialLimit",
            "AllowSelfRotation", "IsAdminAutomationClient", "NotificationEmails", "CreatedAt", "Version")
        VALUES ($clientId, $name, 1, 'DM', 0, 1, 10, 0, 0, '["ops@bench.example"]', $now, $version)
        """;
    var clientId = application.Parameters.Add("$clientId", SqliteType.Text);
    var appName = application.Parameters.Add("$name", SqliteType.Text);
    application.Parameters.AddWithValue("$now", now);
    var version = application.Parameters.Add("$version", SqliteType.Text);
    application.Prepare();

    // NextReminderAt is left to the column's default, as for every new credential.
    await using var secret = connection.CreateCommand();
    secret.CommandText = """
        INSERT INTO "ClientCredentials" ("ApplicationId", "Kind", "Name", "Hash", "Hint", "CreatedAt", "CreatedBy", "ExpiresAt", "DisabledAt")
        VALUES ($applicationId, 0, 'Production', $hash, 'abc', $now, 'bench', $expiresAt, $disabledAt)
        """;
    var applicationId = secret.Parameters.Add("$applicationId", SqliteType.Integer);
    secret.Parameters.AddWithValue("$hash", new byte[32]);
    secret.Parameters.AddWithValue("$now", now);
    var expiresAt = secret.Parameters.Add("$expiresAt", SqliteType.Text);
    var disabledAt = secret.Parameters.Add("$disabledAt", SqliteType.Text);
    secret.Prepare();

    var random = new Random(42);
    for (var i = 0; i < secrets; i++)
    {
        if (i % perApplication == 0)
        {
            clientId.Value = Guid.NewGuid().ToString();
            appName.Value = "Partner-NL-BenchOrg-DM-" + (i / perApplication).ToString(CultureInfo.InvariantCulture);
            version.Value = Guid.NewGuid().ToString().ToUpperInvariant();
            await application.ExecuteNonQueryAsync();
        }

        applicationId.Value = i / perApplication + 1;
        // Midnight expiries, as the portal's date picker makes them, spread over -30 … +365 days.
        expiresAt.Value = now.Date.AddDays(random.Next(-30, 366));
        disabledAt.Value = random.Next(20) == 0 ? now : DBNull.Value;
        await secret.ExecuteNonQueryAsync();
    }

    await transaction.CommitAsync();
}

static async Task MarkDueAsDeliveredAsync(ReminderPass pass, string connectionString, DateTime now)
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
    await using var insert = connection.CreateCommand();
    insert.CommandText = """
        INSERT INTO "OutboxMessages" ("Channel", "EmailKind", "IdentityKey", "Recipients", "Subject", "TextBody", "HtmlBody", "Status",
            "CreatedAt", "Attempts", "NextAttemptAt", "SentAt", "CredentialId")
        VALUES (0, 4, $key, 'bench@example.org', 'reminder', '', '', 1, $now, 1, $now, $now, $credentialId)
        """;
    var credentialId = insert.Parameters.Add("$credentialId", SqliteType.Integer);
    var key = insert.Parameters.Add("$key", SqliteType.Text);
    insert.Parameters.AddWithValue("$now", now);
    insert.Prepare();
    await foreach (var due in pass.FindDueAsync(now))
    {
        credentialId.Value = due.CredentialId;
        key.Value = ReminderEmail.IdentityKey(due.CredentialId, due.Slot);
        await insert.ExecuteNonQueryAsync();
    }

    await transaction.CommitAsync();
}

/// <summary>Peak managed heap, sampled while a measurement runs.</summary>
internal static class Memory
{
    public static long PeakBytes { get; private set; }

    public static void Reset() => PeakBytes = GC.GetTotalMemory(forceFullCollection: false);

    public static void Sample() => PeakBytes = Math.Max(PeakBytes, GC.GetTotalMemory(forceFullCollection: false));
}

/// <summary>The links a reminder carries; the web portal's own (routes included) are not part of this benchmark.</summary>
internal sealed class BenchLinks : IPortalLinks
{
    public string BaseUrl => "http://localhost";
    public string CredentialsPage => BaseUrl + "/manage-api-credentials";
    public string WebhookEndpointPage(int endpointId) => $"{BaseUrl}/webhooks/{endpointId}";
}
