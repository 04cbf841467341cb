namespace CredentialPortal.Core.Applications;

/// <summary>
/// Told after a change to an application's credentials (or to what lets them obtain tokens) has committed. The token
/// service registers one that evicts the application from this instance's client cache at once; other instances learn
/// of the change from the credential change log within a poll interval.
/// </summary>
public interface ICredentialChangeListener
{
    void CredentialsChanged(int applicationId);
}
