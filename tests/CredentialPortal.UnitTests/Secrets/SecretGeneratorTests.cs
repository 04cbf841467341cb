using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Secrets;

namespace CredentialPortal.UnitTests.Secrets;

public sealed class SecretGeneratorTests
{
    [Fact]
    public void A_new_secret_carries_256_bits_and_stores_only_hash_and_hint()
    {
        var secret = SecretGenerator.NewSecret();

        Assert.Equal(32, Base64Url.DecodeFromChars(secret.Value).Length);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret.Value)), secret.Hash);
        Assert.Equal(secret.Value[..3], secret.Hint);
    }

    [Fact]
    public void Secrets_do_not_repeat()
    {
        var values = Enumerable.Range(0, 1000).Select(_ => SecretGenerator.NewSecret().Value).ToHashSet();
        Assert.Equal(1000, values.Count);
    }

    [Fact]
    public void Matches_accepts_the_value_and_rejects_anything_else()
    {
        var secret = SecretGenerator.NewSecret();

        Assert.True(SecretGenerator.Matches(secret.Value, secret.Hash));
        Assert.False(SecretGenerator.Matches(secret.Value + "x", secret.Hash));
        Assert.False(SecretGenerator.Matches(secret.Value[1..], secret.Hash));
        Assert.False(SecretGenerator.Matches("", secret.Hash));
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
