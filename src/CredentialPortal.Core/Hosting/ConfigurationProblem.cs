using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.Core.Hosting;

/// <summary>
/// A problem found while registering services, reported at start together with every invalid setting
/// (<see cref="ValidatedOptions"/>), so that an operator learns all of them from one start rather than one per start.
/// </summary>
public sealed class ConfigurationProblem
{
    /// <summary>
    /// Reports <paramref name="problem"/> when the host starts, as a failed start-up validation: registration carries on
    /// without the setting, and the host never serves with it missing.
    /// </summary>
    public static void ReportAtStart(IServiceCollection services, ConfigurationException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        services.AddOptions<ConfigurationProblem>(problem.Setting).Validate(_ => false, problem.Message).ValidateOnStart();
    }
}
