namespace CredentialPortal.Core;

/// <summary>
/// Bad configuration found at start-up. The host prints <see cref="Exception.Message"/> as one line, naming
/// <see cref="Setting"/>, and exits non-zero instead of showing a stack trace.
/// </summary>
public sealed class ConfigurationException(string setting, string problem, Exception? innerException = null)
    : Exception($"Configuration error in {setting}: {problem}", innerException)
{
    public string Setting { get; } = setting;
}
