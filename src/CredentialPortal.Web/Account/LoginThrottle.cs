using System.Threading.RateLimiting;
using CredentialPortal.TokenService.Throttling;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Limits sign-in, second-factor and reset-request posts per client address (IPv6 clients by their /64) and per
/// account (fixed one-minute windows), on top of the lockout: the address limit slows password spraying across
/// accounts, the account limit slows guessing against one account from many addresses.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perAccount;

    public LoginThrottle(IOptions<AccountOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _perAddress = Create(options.Value.AttemptsPerAddressPerMinute);
        _perAccount = Create(options.Value.AttemptsPerAccountPerMinute);
    }

    /// <summary>Counts one attempt; false when the address or the account has used up its attempts for now.</summary>
    public bool TryAcquire(HttpContext context, string? account)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = ClientAddress.PartitionKey(context.Connection.RemoteIpAddress);
        using var byAddress = _perAddress.AttemptAcquire(address);
        if (!byAddress.IsAcquired)
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(account))
        {
            return true;
        }

        using var byAccount = _perAccount.AttemptAcquire(account.Trim().ToUpperInvariant());
        return byAccount.IsAcquired;
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perAccount.Dispose();
    }

    private static PartitionedRateLimiter<string> Create(int permitsPerMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
}
