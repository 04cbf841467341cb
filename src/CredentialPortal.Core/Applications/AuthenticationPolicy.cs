using CredentialPortal.Core.Secrets;

namespace CredentialPortal.Core.Applications;

/// <summary>Which kinds of credential an application may authenticate with; set by administrators.</summary>
public enum AuthenticationPolicy
{
    SecretsAndKeys = 0,
    KeysOnly = 1,
    SecretsOnly = 2,
}

public static class AuthenticationPolicies
{
    public static bool Allows(this AuthenticationPolicy policy, CredentialKind kind) => policy switch
    {
        AuthenticationPolicy.KeysOnly => kind == CredentialKind.Key,
        AuthenticationPolicy.SecretsOnly => kind == CredentialKind.Secret,
        _ => true,
    };

    public static string Describe(this AuthenticationPolicy policy) => policy switch
    {
        AuthenticationPolicy.KeysOnly => "Keys only",
        AuthenticationPolicy.SecretsOnly => "Secrets only",
        _ => "Secrets and keys",
    };

    /// <summary>Why a credential of this kind may not be created, or null when it may.</summary>
    public static string? RefusalToCreate(this AuthenticationPolicy policy, CredentialKind kind) =>
        policy.Allows(kind) ? null
        : kind == CredentialKind.Secret
            ? "This application authenticates with keys only: an administrator set its policy so, and client secrets cannot be created for it. Add a public key instead."
            : "This application authenticates with client secrets only: an administrator set its policy so, and keys cannot be added to it.";
}
