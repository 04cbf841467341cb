namespace CredentialPortal.Web.Account;

/// <summary>The form Identity stores recovery codes in: ten upper-case characters as two groups, "XXXXX-XXXXX".</summary>
public static class RecoveryCode
{
    /// <summary>How many codes enrolment and "new recovery codes" make; each new set replaces the old one.</summary>
    public const int CodesPerSet = 10;

    /// <summary>
    /// A code as typed — in lower case, without the dash, with spaces or other separators — in its stored form, so
    /// that only the characters count. Anything that cannot be a code is returned upper-cased and will not match.
    /// </summary>
    public static string Normalise(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var characters = new string(typed.Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();
        return characters.Length == 10 ? $"{characters[..5]}-{characters[5..]}" : characters;
    }
}
