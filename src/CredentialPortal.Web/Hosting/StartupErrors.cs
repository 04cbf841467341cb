using System.Text.RegularExpressions;
using CredentialPortal.Core;
using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// Turns bad configuration into lines that name the setting, one per problem and all of them at once, instead of a
/// stack trace.
/// </summary>
public static partial class StartupErrors
{
    public static bool IsConfigurationError(Exception exception, out string message)
    {
        switch (exception)
        {
            case ConfigurationException config:
                message = config.Message;
                return true;
            // Problems found while registering services, already in configuration terms.
            case OptionsValidationException validation when validation.OptionsType == typeof(ConfigurationProblem):
                message = string.Join(Environment.NewLine, validation.Failures);
                return true;
            case OptionsValidationException validation:
                var section = SectionOf(validation.OptionsType);
                message = string.Join(Environment.NewLine,
                    validation.Failures.Select(f => $"Configuration error in {section}: {Readable(f, validation.OptionsType, section)}"));
                return true;
            // The configuration binder reports values of the wrong type this way, naming the key.
            case InvalidOperationException { Message: var text } when text.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                message = $"Configuration error: {text}";
                return true;
            // Start-up validation throws one exception per invalid options class, together when there are several.
            case AggregateException aggregate:
                var messages = new List<string>();
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (!IsConfigurationError(inner, out var innerMessage))
                    {
                        message = "";
                        return false;
                    }

                    messages.Add(innerMessage);
                }

                message = string.Join(Environment.NewLine, messages);
                return messages.Count > 0;
            default:
                message = "";
                return false;
        }
    }

    /// <summary>
    /// A generated validator's failure in configuration terms: <c>Smtp.Port: The field EmailOptions.Smtp.Port must be
    /// between 1 and 65535.</c> reads <c>Email:Smtp:Port must be between 1 and 65535.</c> (the generated range check
    /// ignores a custom message, dotnet/runtime#123137, so the key is put in here).
    /// </summary>
    private static string Readable(string failure, Type optionsType, string section)
    {
        var text = MemberPrefix().Replace(failure, "", 1);
        text = Regex.Replace(text, $@"\b{Regex.Escape(optionsType.Name)}\.(?<path>\w+(?:\.\w+)*)",
            m => section + ":" + m.Groups["path"].Value.Replace('.', ':'), RegexOptions.None, TimeSpan.FromSeconds(1));
        return text.StartsWith("The field ", StringComparison.Ordinal) ? text["The field ".Length..] : text;
    }

    private static string SectionOf(Type optionsType) =>
        optionsType.GetField("SectionName")?.GetValue(null) as string ?? optionsType.Name;

    /// <summary>The member names a generated validator puts before a data-annotation message (<c>Smtp.Port: </c>).</summary>
    [GeneratedRegex(@"^\w+(?:\.\w+)*: ")]
    private static partial Regex MemberPrefix();
}
