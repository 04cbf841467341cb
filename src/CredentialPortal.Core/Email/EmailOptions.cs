using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.Core.Email;

/// <summary>Configuration section <c>Email</c>: how the product sends mail.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Sender address of every email.</summary>
    [Required, EmailAddress]
    public string From { get; set; } = "credential-portal@localhost";

    /// <summary>
    /// Folder that receives one <c>.eml</c> file per message when no SMTP host is configured.
    /// Default: a <c>mail</c> folder beside the SQLite database.
    /// </summary>
    public string? PickupDirectory { get; set; }

    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>Configuration section <c>Email:Smtp</c>. Leave <see cref="Host"/> empty for pickup-directory delivery.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>1–65535; default 25.</summary>
    public int Port { get; set; } = 25;

    /// <summary>Upgrade the connection with STARTTLS before authenticating.</summary>
    public bool UseStartTls { get; set; }

    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>Milliseconds to wait for the server (1000–600000).</summary>
    public int TimeoutMilliseconds { get; set; } = 30_000;
}
