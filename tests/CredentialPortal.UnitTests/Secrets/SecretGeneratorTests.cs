using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.UnitTests.Secrets;

public sealed class SecretGeneratorTests
{
    [Fact]
    public void A_new_secret_is_recognisable_and_stores_only_hash_and_hint()
    {
        var secret = SecretGenerator.NewSecret("wmda");

        Assert.Matches(@"^wmda_[0-9A-Za-z]{49}$", secret.Value);
        Assert.True(SecretFormat.ChecksumMatches(secret.Value));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret.Value)), secret.Hash);
        Assert.Equal(secret.Value[..8], secret.Hint);
    }

    [Fact]
    public void Secrets_do_not_repeat()
    {
        var values = Enumerable.Range(0, 1000).Select(_ => SecretGenerator.NewSecret().Value).ToHashSet();
        Assert.Equal(1000, values.Count);
    }

    [Fact]
    public void The_stored_hash_is_the_SHA256_of_the_value_and_of_nothing_else()
    {
        var secret = SecretGenerator.NewSecret();

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret.Value)), secret.Hash);
        Assert.Equal(secret.Hash, SecretGenerator.Hash(secret.Value));
        Assert.NotEqual(secret.Hash, SecretGenerator.Hash(secret.Value + "x"));
        Assert.NotEqual(secret.Hash, SecretGenerator.Hash(secret.Value[1..]));
        Assert.NotEqual(secret.Hash, SecretGenerator.Hash(""));
    }

    [Fact]
    public void Client_ids_are_unique_uuids()
    {
        var a = SecretGenerator.NewClientId();
        var b = SecretGenerator.NewClientId();

        Assert.True(Guid.TryParse(a, out _));
        Assert.NotEqual(a, b);
    }
}
