using CredentialPortal.Core;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

/// <summary>Turns bad configuration into one line that names the setting, instead of a stack trace.</summary>
public static class StartupErrors
{
    public static bool IsConfigurationError(Exception exception, out string message)
    {
        switch (exception)
        {
            case ConfigurationException config:
                message = config.Message;
                return true;
            case OptionsValidationException validation:
                message = $"Configuration error in {SectionOf(validation.OptionsType)}: {string.Join(" ", validation.Failures)}";
                return true;
            // The configuration binder reports values of the wrong type this way, naming the key.
            case InvalidOperationException { Message: var text } when text.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                message = $"Configuration error: {text}";
                return true;
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return IsConfigurationError(aggregate.InnerExceptions[0], out message);
            default:
                message = "";
                return false;
        }
    }

    private static string SectionOf(Type optionsType) =>
        optionsType.GetField("SectionName")?.GetValue(null) as string ?? optionsType.Name;
}
