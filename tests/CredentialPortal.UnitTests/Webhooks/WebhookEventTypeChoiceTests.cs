using CredentialPortal.Core.Webhooks;

namespace CredentialPortal.UnitTests.Webhooks;

/// <summary>How an endpoint's choice of event types is stored and read back.</summary>
public sealed class WebhookEventTypeChoiceTests
{
    private static readonly string[] All = WebhookEventTypes.Choosable.Select(c => c.Type).ToArray();

    [Fact]
    public void Every_type_chosen_is_stored_as_null_so_that_types_added_later_are_received_too()
    {
        Assert.Null(WebhookEventTypes.Store(All.Reverse()));
        Assert.Equal(All, WebhookEventTypes.Parse(null));
        Assert.True(WebhookEventTypes.Includes(null, "credential.some-future-event"));
    }

    [Fact]
    public void A_partial_choice_keeps_the_known_types_in_the_forms_order_and_nothing_else()
    {
        var stored = WebhookEventTypes.Store(["credential.deleted", "not.an.event", "credential.created", "credential.deleted"]);
        Assert.Equal("credential.created credential.deleted", stored);
        Assert.Equal(["credential.created", "credential.deleted"], WebhookEventTypes.Parse(stored));
        Assert.True(WebhookEventTypes.Includes(stored, WebhookEventTypes.CredentialDeleted));
        Assert.False(WebhookEventTypes.Includes(stored, WebhookEventTypes.CredentialExpiring));
        // "credential.created" is not a prefix match of another type.
        Assert.False(WebhookEventTypes.Includes(stored, "credential"));
    }

    [Fact]
    public void Nothing_chosen_is_an_empty_choice_which_the_forms_refuse()
    {
        Assert.Equal("", WebhookEventTypes.Store(["not.an.event"]));
        Assert.Empty(WebhookEventTypes.Parse(""));
    }

    [Theory]
    [InlineData("https://hooks.example/in?token=abc", "https://hooks.example/in?…")]
    [InlineData("https://hooks.example/in", "https://hooks.example/in")]
    public void The_address_is_shown_without_its_query_string(string url, string shown) =>
        Assert.Equal(shown, WebhookEndpoint.DisplayUrlOf(url));
}
