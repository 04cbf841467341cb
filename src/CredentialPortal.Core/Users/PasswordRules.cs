using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Core.Users;

/// <summary>
/// NIST SP 800-63B password rules beyond Identity's minimum length: an upper bound, no composition rules, and no
/// password from the shipped list of common passwords or equal to the user's own email address.
/// </summary>
public sealed class PasswordRules : IPasswordValidator<PortalUser>
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 128;

    private static readonly Lazy<HashSet<string>> CommonPasswords = new(LoadCommonPasswords);

    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (password is null)
        {
            return Task.FromResult(IdentityResult.Success);
        }

        if (password.Length > MaximumLength)
        {
            return Fail("PasswordTooLong", $"Passwords must be at most {MaximumLength} characters.");
        }

        if (IsCommon(password))
        {
            return Fail("PasswordTooCommon", "This password is on a list of commonly used passwords. Choose another one.");
        }

        if (user.Email is { Length: > 0 } email && string.Equals(password.Trim(), email, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("PasswordIsEmail", "The password must not be your email address.");
        }

        return Task.FromResult(IdentityResult.Success);
    }

    public static bool IsCommon(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return CommonPasswords.Value.Contains(password.Trim());
    }

    private static Task<IdentityResult> Fail(string code, string description) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = code, Description = description }));

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CredentialPortal.Core.Users.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line);
            }
        }

        return set;
    }
}
