using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CredentialPortal.Benchmarks.Tokens;
// Usage: dotnet run -c Release --project bench/CredentialPortal.Benchmarks.Tokens [-- BenchmarkDotNet arguments]
//        ... -- signing-rate RS256|ES256 THREADS SECONDS   (prints signatures/s; bench/token-endpoint.sh uses it)
//        ... -- verify-rate RS256|ES256 THREADS SECONDS    (prints signature checks/s, as for a client assertion)
//        ... -- assertions DATABASE CLIENT_ID RS256|ES256 COUNT AUDIENCE OUT_FILE   (adds a key, writes client assertions)
//        ... -- federated-issuer DATABASE CLIENT_ID ISSUER_URL AUDIENCE TOKEN_FILE   (serves a cluster's keys until stopped,
//                   adds a federated identity for its service account, writes one reusable projected token)
//        ... -- clients DATABASE COUNT SECRET OUT_FILE   (adds applications with that secret, writes their client_ids)
//        ... -- dpop-proofs COUNT TOKEN_ENDPOINT OUT_FILE   (writes ES256 DPoP proofs for the token endpoint, one per line)
//        ... -- dpop-check-rate SECONDS   (prints DPoP proof checks/s, 1 thread, in process)
//        (DATABASE: the app's SQLite file, or its PostgreSQL connection string)
// In process (the host is a test host: SQLite in a temporary folder, no HTTP server), so allocations per token are
// exact and a regression shows in bytes, not only in noisy microseconds.
if (args is [var mode and ("signing-rate" or "verify-rate"), var algorithm, var threads, var seconds])
{
    var rate = SigningRate.Measure(algorithm, int.Parse(threads, CultureInfo.InvariantCulture),
        TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)), verify: mode == "verify-rate");
    Console.WriteLine(rate.ToString("F1", CultureInfo.InvariantCulture));
    return;
}

if (args is ["assertions", var database, var clientId, var assertionAlgorithm, var count, var audience, var output])
{
    await ClientAssertions.WriteAsync(database, clientId, assertionAlgorithm, int.Parse(count, CultureInfo.InvariantCulture), audience, output);
    return;
}

if (args is ["federated-issuer", var issuerDatabase, var federatedClientId, var issuer, var issuerAudience, var tokenFile])
{
    await FederatedIssuer.RunAsync(issuerDatabase, federatedClientId, issuer, issuerAudience, tokenFile);
    return;
}

if (args is ["clients", var clientsDatabase, var clientCount, var clientSecret, var clientsFile])
{
    await ManyClients.WriteAsync(clientsDatabase, int.Parse(clientCount, CultureInfo.InvariantCulture), clientSecret, clientsFile);
    return;
}

if (args is ["dpop-proofs", var proofCount, var tokenEndpoint, var proofsFile])
{
    await DpopProofs.WriteAsync(int.Parse(proofCount, CultureInfo.InvariantCulture), tokenEndpoint, proofsFile);
    return;
}

if (args is ["dpop-check-rate", var checkSeconds])
{
    var checkRate = await DpopProofs.MeasureCheckRateAsync(TimeSpan.FromSeconds(double.Parse(checkSeconds, CultureInfo.InvariantCulture)));
    Console.WriteLine(checkRate.ToString("F1", CultureInfo.InvariantCulture));
    return;
}

// WebApplicationFactory finds the portal's content root through this variable when not run by a test framework.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "CredentialPortal.sln")))
{
    root = root.Parent;
}

Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_CREDENTIALPORTAL_WEB", Path.Combine(root!.FullName, "src", "CredentialPortal.Web"));
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10));
BenchmarkSwitcher.FromAssembly(typeof(TokenIssuance).Assembly).Run(args, config);

