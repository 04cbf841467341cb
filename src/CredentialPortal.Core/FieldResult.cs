namespace CredentialPortal.Core;

/// <summary>
/// The outcome of a command on a form's input (create a secret, add a key): what it made, or messages per input field
/// saying why not, in which case nothing was stored. Pages show the messages at their fields, the API as a validation problem.
/// </summary>
public sealed record FieldResult<T>(T? Value, IReadOnlyDictionary<string, string> Errors)
    where T : class
{
    public bool Succeeded => Value is not null;
}

/// <summary>Makes <see cref="FieldResult{T}"/>s.</summary>
public static class FieldResult
{
    public static FieldResult<T> Done<T>(T value)
        where T : class => new(value, new Dictionary<string, string>());

    public static FieldResult<T> Refused<T>(string field, string message)
        where T : class => new(null, new Dictionary<string, string> { [field] = message });
}
