using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Hosting;

/// <summary>
/// The one way settings are validated: each options class has a validator generated at compile time
/// (<c>[OptionsValidator]</c>) from its data annotations, reaching nested sections marked
/// <c>[ValidateObjectMembers]</c>; rules that span settings are the options class's own
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>, which that validator calls. Validation runs at
/// start-up and reports every invalid setting at once.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateOnStart();
    }
}
