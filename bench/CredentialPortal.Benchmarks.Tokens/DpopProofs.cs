using System.Diagnostics;
using CredentialPortal.Testing;
using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Dpop;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>
/// For bench/dpop.sh: DPoP proofs of one ES256 key (as oauth4webapi and openid-client make by default), each with its
/// own jti (the app accepts each once), for POST to the token endpoint, issued now; and the token service's own proof
/// check measured in process, without HTTP, so that its cost per request is not lost in the load test's noise.
/// </summary>
public static class DpopProofs
{
    private const string TokenEndpoint = "http://bench.example/connect/token";

    /// <summary>Writes <paramref name="count"/> proofs, one per line.</summary>
    public static async Task WriteAsync(int count, string tokenEndpoint, string outputFile) =>
        await File.WriteAllLinesAsync(outputFile, Make(count, tokenEndpoint));

    /// <summary>Proof checks per second on one thread (<see cref="DpopProofValidator"/>, as the token endpoint calls it).</summary>
    public static async Task<double> MeasureCheckRateAsync(TimeSpan duration)
    {
        var options = Options.Create(new TokenServiceOptions { Issuer = "http://bench.example" });
        options.Value.Dpop.ProofMaxAgeSeconds = 600;
        // Nonces are not required (the default), so the shared replay store, and with it a database, is never asked.
        var validator = new DpopProofValidator(options, new DpopNonces(new EphemeralDataProtectionProvider(), options, TimeProvider.System),
            new DpopReplayCache(options, TimeProvider.System), sharedReplays: null!, TimeProvider.System);
        var proofs = Make(50_000, TokenEndpoint);
        var checks = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && checks < proofs.Length)
        {
            var context = new DefaultHttpContext { Request = { Method = "POST", Headers = { ["DPoP"] = proofs[checks] } } };
            var (proof, failure) = await validator.ValidateAsync(context.Request, TokenEndpoint);
            if (proof is null)
            {
                throw new InvalidOperationException($"The proof was refused: {failure?.Description}");
            }

            checks++;
        }

        return checks / clock.Elapsed.TotalSeconds;
    }

    private static string[] Make(int count, string tokenEndpoint)
    {
        using var key = DpopKey.Create();
        var now = DateTimeOffset.UtcNow;
        var lines = new string[count];
        Parallel.For(0, count, i => lines[i] = key.Proof("POST", tokenEndpoint, now));
        return lines;
    }
}
