using CredentialPortal.Core.Audit;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// What proves an application's identity at the token endpoint: a secret we generated, a key the partner holds, or a
/// token the partner's own platform issues (a federated identity).
/// </summary>
public enum CredentialKind
{
    Secret = 0,
    Key = 1,
    FederatedIdentity = 2,
}

/// <summary>
/// What a kind of credential is called and which audit events its changes record: the one place where sentences differ
/// per kind, so that no message is patched by string replacement and a new kind adds one entry here.
/// </summary>
/// <param name="Noun">In sentences: "secret", "key".</param>
/// <param name="FullNoun">Where the kind must be unmistakable to a partner: "client secret", "key".</param>
/// <param name="CreatedVerb">What creating one is called: a secret is "created" (generated here), a key "added".</param>
/// <param name="HintSuffix">Shown after the hint: a secret's hint is its first characters ("abc…"), a key's thumbprint is whole.</param>
/// <param name="Events">The audit event types its changes record.</param>
/// <param name="RefusedByPolicy">Why one may not be created when the application's policy does not allow the kind.</param>
/// <param name="Rotation">What a reminder asks the partner to do before one expires.</param>
public sealed record CredentialWords(
    string Noun,
    string FullNoun,
    string CreatedVerb,
    string HintSuffix,
    CredentialEventTypes Events,
    string RefusedByPolicy,
    CredentialRotationSteps Rotation)
{
    /// <summary>"Secret", "Key": a label or the start of a sentence.</summary>
    public string Label => char.ToUpperInvariant(Noun[0]) + Noun[1..];

    /// <summary>"Client secret", "Key".</summary>
    public string FullLabel => char.ToUpperInvariant(FullNoun[0]) + FullNoun[1..];

    public string DisplayHint(string hint) => hint + HintSuffix;

    /// <summary>"secrets", "keys", "federated identities".</summary>
    public string PluralNoun => Plural(Noun);

    /// <summary>"client secrets", "keys", "federated identities".</summary>
    public string FullPluralNoun => Plural(FullNoun);

    /// <summary>"secret", "key", "federated_identity": the noun inside an audit reason or a metric's value.</summary>
    public string ReasonNoun => Noun.Replace(' ', '_');

    /// <summary>"secrets", "keys", "federated_identities".</summary>
    public string PluralReasonNoun => PluralNoun.Replace(' ', '_');

    /// <summary>"1 secret", "3 keys".</summary>
    public string Count(int count) => count == 1 ? $"1 {Noun}" : $"{count} {PluralNoun}";

    // "identity" → "identities", but "key" → "keys" (a vowel before the y).
    private static string Plural(string noun) =>
        noun.Length > 1 && noun[^1] == 'y' && !"aeiou".Contains(noun[^2], StringComparison.Ordinal) ? noun[..^1] + "ies" : noun + "s";

    /// <summary>How a change of this kind reads in a sentence: "created", "added", "disabled"…</summary>
    public string PastTense(CredentialChangeType change) => change switch
    {
        CredentialChangeType.Created => CreatedVerb,
        CredentialChangeType.Leaked => "found in public",
        _ => change.ToString().ToLowerInvariant(),
    };

    /// <summary>The expiry rule's message for this kind, with the latest date a form may choose when there is one.</summary>
    public string AtMostOneYear(DateOnly? until = null) =>
        until is { } date ? $"A {Noun} can be valid for at most one year (until {date:yyyy-MM-dd})." : $"A {Noun} can be valid for at most one year.";
}

/// <summary>What happened to a credential; each kind records it under its own audit event type.</summary>
public enum CredentialChangeType
{
    Created,
    Disabled,
    Enabled,
    Deleted,

    /// <summary>Replaced by a new credential in a rotation: its expiry moved to the end of the grace period.</summary>
    Rotated,

    /// <summary>Reported as found in public (and, under <see cref="LeakResponse.Disable"/>, disabled with it).</summary>
    Leaked,
}

/// <summary>
/// The audit event types of one kind's changes; <paramref name="Leaked"/> only for a kind whose value we issue and
/// scanners can find (secrets): a key's private half never passes through here.
/// </summary>
public sealed record CredentialEventTypes(string Created, string Disabled, string Enabled, string Deleted, string Rotated, string? Leaked = null)
{
    public string For(CredentialChangeType change) => change switch
    {
        CredentialChangeType.Created => Created,
        CredentialChangeType.Disabled => Disabled,
        CredentialChangeType.Enabled => Enabled,
        CredentialChangeType.Rotated => Rotated,
        CredentialChangeType.Leaked => Leaked ?? throw new ArgumentOutOfRangeException(nameof(change), change, "This kind cannot leak from here."),
        _ => Deleted,
    };
}

/// <summary>A reminder's steps: create the replacement, make the system use it, and the whole in a few words.</summary>
public sealed record CredentialRotationSteps(string Create, string Use, string InShort);

public static class CredentialKinds
{
    public static IReadOnlyList<CredentialKind> All { get; } = Enum.GetValues<CredentialKind>();

    private static readonly CredentialWords SecretWords = new(
        "secret", "client secret", "created", "\u2026",
        new(AuditEventTypes.SecretCreated, AuditEventTypes.SecretDisabled, AuditEventTypes.SecretEnabled, AuditEventTypes.SecretDeleted,
            AuditEventTypes.SecretRotated, AuditEventTypes.SecretLeaked),
        "This application authenticates with keys only: an administrator set its policy so, and client secrets cannot be created for it. Add a public key instead.",
        new("Create a new secret for the application in the portal.", "Update your system to use the new secret.", "rotate the secret"));

    private static readonly CredentialWords KeyWords = new(
        "key", "key", "added", "",
        new(AuditEventTypes.KeyAdded, AuditEventTypes.KeyDisabled, AuditEventTypes.KeyEnabled, AuditEventTypes.KeyDeleted,
            AuditEventTypes.KeyRotated),
        "This application authenticates with client secrets only: an administrator set its policy so, and keys cannot be added to it.",
        new("Generate a new key pair and add its public key to the application in the portal.",
            "Update your system to sign its assertions with the new private key.", "replace the key"));

    // Its hint is the subject, which is whole unless cut to the hint's length (FederatedIdentity.HintOf marks that itself).
    private static readonly CredentialWords FederatedWords = new(
        "federated identity", "federated identity", "added", "",
        new(AuditEventTypes.FederatedIdentityAdded, AuditEventTypes.FederatedIdentityDisabled, AuditEventTypes.FederatedIdentityEnabled,
            AuditEventTypes.FederatedIdentityDeleted, AuditEventTypes.FederatedIdentityRotated),
        "This application's authentication policy does not allow federated identities: an administrator set it so, and they cannot be added to it.",
        new("Check that the workload's issuer, subject and claims are still the ones you trust, and add a federated identity with a new review date.",
            "Delete the old federated identity once the new one is in place.", "review the federated identity"));

    public static CredentialWords Words(this CredentialKind kind) => kind switch
    {
        CredentialKind.Secret => SecretWords,
        CredentialKind.Key => KeyWords,
        CredentialKind.FederatedIdentity => FederatedWords,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a credential kind."),
    };
}
