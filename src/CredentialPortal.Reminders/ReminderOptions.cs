using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Reminders;

/// <summary>Configuration section <c>Reminders</c>: the expiry-reminder background service.</summary>
public sealed class ReminderOptions
{
    public const string SectionName = "Reminders";

    /// <summary>
    /// Run the reminder service in this instance (default true). Switch it off on instances that should only serve
    /// tokens; any number of instances may run it against one database.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two reminder passes (default 15 minutes); a pass also runs at start-up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Rows read or claimed per database round trip (default 500); bounds the memory of a pass.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}

[OptionsValidator]
internal sealed partial class ReminderOptionsValidator : IValidateOptions<ReminderOptions>;
