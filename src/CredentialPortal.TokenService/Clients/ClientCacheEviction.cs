using CredentialPortal.Core.Applications;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// The token service's part of every credential change's post-commit step: this instance forgets the client at once,
/// so the next token request (e.g. a script that rotates and immediately asks for a token) sees the change; other
/// instances learn of it from the change log (<see cref="CredentialChangePoller"/>).
/// </summary>
public sealed class ClientCacheEviction(ClientCache cache) : ICredentialChangeListener
{
    public void CredentialsChanged(int applicationId) => cache.Evict([applicationId]);
}
