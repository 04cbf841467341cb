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
}
