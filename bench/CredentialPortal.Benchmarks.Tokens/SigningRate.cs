using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>
/// .NET's own signing rate, measured the way the token endpoint signs: one key (RSA-2048 or P-256) shared by every
/// thread, through IdentityModel's cached signature provider, over a token-sized message.
/// </summary>
public static class SigningRate
{
    /// <summary>Signatures per second (<paramref name="verify"/> false) or signature checks per second (true).</summary>
    public static double Measure(string algorithm, int threads, TimeSpan duration, bool verify = false)
    {
        SecurityKey key = algorithm == SecurityAlgorithms.RsaSha256
            ? new RsaSecurityKey(RSA.Create(2048)) { KeyId = "bench" }
            : new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "bench" };
        var provider = key.CryptoProviderFactory.CreateForSigning(key, algorithm);
        var message = RandomNumberGenerator.GetBytes(520);
        var signature = provider.Sign(message);
        // A client assertion is checked against the client's public key, so the check gets a provider of its own.
        var verifier = key.CryptoProviderFactory.CreateForVerifying(key, algorithm);
        Action once = verify ? () => verifier.Verify(message, signature) : () => provider.Sign(message);
        for (var i = 0; i < 20; i++)
        {
            once();
        }

        var counts = new long[threads];
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            while (stopwatch.Elapsed < duration)
            {
                once();
                counts[thread]++;
            }
        });
        return counts.Sum() / stopwatch.Elapsed.TotalSeconds;
    }
}
