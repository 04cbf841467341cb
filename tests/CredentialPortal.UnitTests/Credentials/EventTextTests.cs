using CredentialPortal.Web.Credentials;

namespace CredentialPortal.UnitTests.Credentials;

/// <summary>Issue 19 items 13 and 16: history details as sentences, hints and client IDs monospaced.</summary>
public sealed class EventTextTests
{
    [Fact]
    public void A_token_failure_record_reads_as_a_sentence()
    {
        var sentence = EventText.Sentence(
            "client_id=0f8fad5b-d9cb-469f-a165-70867728950e reason=wrong_secret count=3 first=2026-12-01T10:00:00.0000000Z last=2026-12-01T10:05:30.0000000Z");

        Assert.Equal("3 failed token requests for client ID 0f8fad5b-d9cb-469f-a165-70867728950e between 2026-12-01 10:00:00 and 10:05:30 UTC: the secret was wrong.", sentence);
    }

    [Fact]
    public void Text_that_is_already_a_sentence_stays_as_it_is() =>
        Assert.Equal("secret 'Production' (PlE…)", EventText.Sentence("secret 'Production' (PlE…)"));

    [Fact]
    public void Hints_and_client_ids_are_set_in_code_and_everything_else_is_encoded()
    {
        var html = EventText.WithCodes("Secret “<b>x</b>” (PlE…) of 0f8fad5b-d9cb-469f-a165-70867728950e is disabled.").ToString();

        Assert.Equal("Secret “&lt;b&gt;x&lt;/b&gt;” (<code>PlE…</code>) of <code>0f8fad5b-d9cb-469f-a165-70867728950e</code> is disabled.", html);
    }

    [Fact]
    public void A_recognisable_secrets_hint_is_set_in_code_with_its_prefix() =>
        Assert.Equal("Secret x (<code>cpsk_7Hq…</code>) found in public at https://github.com/o/r",
            EventText.WithCodes("Secret x (cpsk_7Hq…) found in public at https://github.com/o/r").ToString());

    [Theory]
    [InlineData("secret.created", "Secret created")]
    [InlineData("token.authentication-failed", "Token authentication failed")]
    public void Event_types_read_as_words(string type, string title) => Assert.Equal(title, EventText.Title(type));
}
