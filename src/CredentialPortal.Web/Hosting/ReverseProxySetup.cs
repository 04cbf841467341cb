using System.ComponentModel.DataAnnotations;
using System.Net;
using CredentialPortal.Core.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// Configuration section <c>Proxy</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// headers are believed. Requests from any other address keep their own address and scheme, so a client cannot
/// pick the address that rate limits, lockout and the audit log see. Empty (the default): no proxy is trusted.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string SectionName = "Proxy";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c> or <c>::1</c>.</summary>
    public List<string> KnownProxies { get; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; } = [];

    /// <summary>Names each entry that does not parse, so that start-up fails with the setting and the value.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        KnownProxies.Where(p => !IPAddress.TryParse(p, out _))
            .Select(p => new ValidationResult($"Proxy:KnownProxies: '{p}' is not an IP address."))
            .Concat(KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                .Select(n => new ValidationResult($"Proxy:KnownNetworks: '{n}' is not a network in CIDR notation (e.g. 10.0.0.0/24).")));
}

[OptionsValidator]
internal sealed partial class ProxyOptionsValidator : IValidateOptions<ProxyOptions>;

public static class ReverseProxySetup
{
    public static WebApplicationBuilder AddReverseProxySupport(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<ProxyOptions, ProxyOptionsValidator>(ProxyOptions.SectionName);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The framework trusts loopback by default; only what the operator lists is trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(address));
            }

            foreach (var network in proxy.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return builder;
    }
}
