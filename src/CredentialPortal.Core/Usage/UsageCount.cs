namespace CredentialPortal.Core.Usage;

/// <summary>
/// One UTC day's count for an application: tokens issued with one credential (<see cref="FailureReason"/> empty), or
/// failed client authentications for one reason (<see cref="CredentialId"/> 0). The token service counts in memory and
/// adds its counts here on every flush (<c>UsageCounter</c>), so a row is a day's total across instances. No foreign
/// keys: a deleted credential's traffic stays in its application's history until retention removes the day.
/// </summary>
public sealed class UsageCount
{
    public const int MaxReasonLength = 64;

    /// <summary>Rows are inserted in day order (the first count of a day creates its row), which retention walks by.</summary>
    public long Id { get; set; }

    public DateOnly Day { get; set; }

    public int ApplicationId { get; set; }

    /// <summary>The credential that obtained the tokens; 0 on a failure row.</summary>
    public int CredentialId { get; set; }

    /// <summary>Why authentication failed (the token service's reason, e.g. <c>wrong_secret</c>); empty on a tokens row.</summary>
    public string FailureReason { get; set; } = "";

    public long Count { get; set; }

    public bool IsFailure => FailureReason.Length > 0;
}
