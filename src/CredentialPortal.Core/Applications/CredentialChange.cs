namespace CredentialPortal.Core.Applications;

/// <summary>
/// A change log row written in the same transaction as any change that affects which secrets of an application
/// may obtain tokens (secret created, disabled, enabled, deleted; application or organisation (de)activated).
/// Every token-service instance polls this table and evicts its cached view of the application, which is how a
/// change reaches all instances sharing the database within a second without a message bus.
/// </summary>
public sealed class CredentialChange
{
    public long Id { get; set; }
    public int ApplicationId { get; set; }
    public DateTime ChangedAt { get; set; }
}
