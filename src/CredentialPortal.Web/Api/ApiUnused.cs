using System.ComponentModel;
using System.Text.Json.Serialization;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Web.Api;

/// <summary>Why a credential counts as unused: the API's words for <see cref="UnusedReason"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnusedState>))]
public enum UnusedState
{
    [JsonStringEnumMemberName("neverUsed")]
    NeverUsed,

    [JsonStringEnumMemberName("notUsedRecently")]
    NotUsedRecently,
}

/// <summary>
/// An active credential nobody has used for 90 days or more (<see cref="UnusedCredentials"/>: the rule the portal's
/// "Unused" flag and the monthly digest follow): if nothing needs it any more, delete it.
/// </summary>
public sealed record UnusedResource(
    [property: Description("neverUsed: no token since it was created, 90 or more days ago; notUsedRecently: its last token was 90 or more days ago.")] UnusedState Reason,
    [property: Description("Whole days since it was created (neverUsed) or last used (notUsedRecently).")] int Days,
    [property: Description("When it was created (neverUsed) or last used (notUsedRecently), UTC.")] DateTime Since)
{
    /// <summary>The <c>unused</c> property's description, the same on secrets, keys and federated identities.</summary>
    public const string PropertyDescription = "Set when it is active and unused for 90 days or more (never used since its creation, or not since its last use): if nothing needs it any more, delete it.";

    public static UnusedResource? Of(ClientCredential credential, DateTime now) =>
        UnusedCredentials.Of(credential, now) is { } flag
            ? new(flag.Reason == UnusedReason.NeverUsed ? UnusedState.NeverUsed : UnusedState.NotUsedRecently, flag.Days, flag.Since)
            : null;
}
