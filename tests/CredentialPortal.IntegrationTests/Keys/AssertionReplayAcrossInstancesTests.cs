using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>An assertion is single use across every instance sharing the database, also when both try at once.</summary>
public sealed class AssertionReplayAcrossInstancesTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_assertion_used_on_one_instance_is_refused_on_another(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var first = await PortalFactory.StartAsync(provider);
        await using var second = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
        }, time: first.Time);
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(first, app, PublicPem(ec));

        var assertion = Assertion(first, app.ClientId, Signing(ec, key.Hint));
        using (var accepted = await RequestWithAssertionAsync(one, assertion))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var replayed = await RequestWithAssertionAsync(two, assertion);
        var error = await AssertErrorAsync(replayed, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("used before", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        // Both instances at once with one fresh assertion: exactly one token.
        var raced = Assertion(first, app.ClientId, Signing(ec, key.Hint));
        var answers = await Task.WhenAll(RequestWithAssertionAsync(one, raced), RequestWithAssertionAsync(two, raced));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Unauthorized);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    /// <summary>
    /// Uses that arrive together are written in one transaction (group commit): each fresh assertion still gets exactly
    /// one token, whether its copies land in one batch, in two batches of one instance or on two instances.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Assertions_used_together_are_each_accepted_once(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        // 90 requests of one client in a moment, 60 of them replays: neither limit may answer for the replay check.
        var unlimited = new Dictionary<string, string?>
        {
            ["TokenService:RateLimit:PermitsPerSecond"] = "0",
            ["TokenService:FailedAuthentication:MaxFailures"] = "1000",
            ["TokenService:FailedAuthentication:MaxFailuresPerAddress"] = "1000",
        };
        await using var first = await PortalFactory.StartAsync(provider, settings: unlimited);
        await using var second = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?>(unlimited)
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
        }, time: first.Time);
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(first, app, PublicPem(ec));

        // 30 assertions, each sent three times at once: twice to the first instance, once to the second.
        var assertions = Enumerable.Range(0, 30).Select(_ => Assertion(first, app.ClientId, Signing(ec, key.Hint))).ToList();
        var answers = await Task.WhenAll(assertions.SelectMany(a => new[]
        {
            RequestWithAssertionAsync(one, a), RequestWithAssertionAsync(one, a), RequestWithAssertionAsync(two, a),
        }));

        var byAssertion = answers.Chunk(3).ToList();
        Assert.All(byAssertion, copies =>
        {
            Assert.Single(copies, c => c.StatusCode == HttpStatusCode.OK);
            Assert.Equal(2, copies.Count(c => c.StatusCode == HttpStatusCode.Unauthorized));
        });
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}
