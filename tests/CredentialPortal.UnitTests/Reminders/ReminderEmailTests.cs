using CredentialPortal.Testing;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Email;
using CredentialPortal.Reminders;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CredentialPortal.UnitTests.Reminders;

/// <summary>
/// The reminder emails' content. One rendering per kind is saved under <c>TestResults/emails</c> (text, HTML and the
/// <c>.eml</c> the pickup sender writes) so that people can read what managers receive.
/// </summary>
public sealed class ReminderEmailTests
{
    private static readonly DateTime Expiry = new(2027, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    private static ReminderEmailModel Model(string now, ReminderSlot slot, bool replaced = false) => new(
        7, "Partner-NL-DemoOrg-DM", "3f0c9a52-5d1e-4b8e-9d0a-6c1f1f0e2b7a", "Production secret by Demo Manager", "Ab3",
        CredentialKind.Secret, Expiry, DateTime.Parse(now, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(), slot, replaced,
        "https://credentials.example.org/manage-api-credentials");

    public static TheoryData<string, string, string, bool> Kinds => new()
    {
        { "weekly-42d", "2026-11-29T09:00:00Z", "42d", false },
        { "weekly-7d-replaced", "2027-01-03T09:00:00Z", "7d", true },
        { "daily-1d", "2027-01-09T09:00:00Z", "1d", false },
        { "expired", "2027-01-10T09:00:00Z", "expired", false },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_kind_names_the_application_client_id_secret_expiry_workflow_and_portal_link(string kind, string now, string slotName, bool replaced)
    {
        Assert.True(ReminderSlot.TryParse(slotName, out var slot));
        var message = ReminderEmail.Compose(Model(now, slot, replaced), ["manager@partner.example"]);

        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("Partner-NL-DemoOrg-DM", body, StringComparison.Ordinal);
            Assert.Contains("3f0c9a52-5d1e-4b8e-9d0a-6c1f1f0e2b7a", body, StringComparison.Ordinal);
            Assert.Contains("Production secret by Demo Manager", body, StringComparison.Ordinal);
            Assert.Contains("2027-01-10 00:00 UTC", body, StringComparison.Ordinal);
            Assert.Contains("https://credentials.example.org/manage-api-credentials", body, StringComparison.Ordinal);
            Assert.Contains("last used", body, StringComparison.Ordinal);
        }

        Assert.Contains("Ab3\u2026", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Ab3&#x2026;", message.HtmlBody, StringComparison.Ordinal);
        await SaveArtifactAsync(kind, message);
    }

    [Fact]
    public void A_name_chosen_to_lure_is_shortened_and_carries_no_link()
    {
        Assert.True(ReminderSlot.TryParse("7d", out var slot));
        var model = Model("2027-01-03T09:00:00Z", slot) with { CredentialName = "Locked: sign in at https://wmda-login.example/now to keep access" };

        var message = ReminderEmail.Compose(model, ["m@partner.example"]);

        foreach (var text in new[] { message.Subject, message.TextBody, message.HtmlBody })
        {
            Assert.DoesNotContain("wmda-login.example", text, StringComparison.Ordinal);
            Assert.DoesNotContain("https://wmda", text, StringComparison.Ordinal);
            Assert.DoesNotContain("to keep access", text, StringComparison.Ordinal);
        }

        Assert.Contains("\"Locked: sign in at https[:]//wmda-login[.]ex…\"", message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Reminders_before_expiry_say_the_days_left_and_the_rotation_steps()
    {
        Assert.True(ReminderSlot.TryParse("42d", out var slot));

        var message = ReminderEmail.Compose(Model("2026-11-29T09:00:00Z", slot), ["m@partner.example"]);

        Assert.Equal("Client secret \"Production secret by Demo Manager\" of Partner-NL-DemoOrg-DM expires in 42 days", message.Subject);
        Assert.Contains("Expires:      2027-01-10 00:00 UTC (in 42 days)", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("1. Create a new secret for the application in the portal.", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("2. Update your system to use the new secret.", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("3. Confirm connectivity", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("4. Disable the old secret, then delete it.", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("stops further reminders", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replaced_secrets_reminder_says_that_deleting_it_stops_the_reminders()
    {
        Assert.True(ReminderSlot.TryParse("7d", out var slot));

        var message = ReminderEmail.Compose(Model("2027-01-03T09:00:00Z", slot, replaced: true), ["m@partner.example"]);

        Assert.StartsWith("Old client secret", message.Subject, StringComparison.Ordinal);
        Assert.Contains("deleting the old secret stops further reminders", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("deleting the old secret stops further reminders", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_final_notice_says_that_api_access_has_stopped()
    {
        var message = ReminderEmail.Compose(Model("2027-01-10T09:00:00Z", ReminderSlot.Expired), ["m@partner.example"]);

        Assert.Equal("Client secret \"Production secret by Demo Manager\" of Partner-NL-DemoOrg-DM has expired: API access has stopped", message.Subject);
        Assert.Contains("API access has stopped", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_html_encoded_and_cannot_break_the_subject_line()
    {
        var model = Model("2026-11-29T09:00:00Z", ReminderSlot.DaysBeforeExpiry(42)) with
        {
            CredentialName = "<script>alert(1)</script>\r\nBcc: victim@example.org",
            ApplicationName = "A & B \"quoted\"",
        };

        var message = ReminderEmail.Compose(model, ["m@partner.example"]);

        Assert.DoesNotContain('\r', message.Subject);
        Assert.DoesNotContain('\n', message.Subject);
        Assert.DoesNotContain("<script>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("A &amp; B &quot;quoted&quot;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void One_secret_and_slot_is_one_email_whatever_the_time_it_is_composed()
    {
        Assert.True(ReminderSlot.TryParse("7d", out var week));
        Assert.True(ReminderSlot.TryParse("3d", out var threeDays));

        var first = ReminderEmail.Compose(Model("2027-01-03T09:00:00Z", week), ["m@partner.example"]);
        var retry = ReminderEmail.Compose(Model("2027-01-03T11:15:00Z", week), ["m@partner.example"]);
        var next = ReminderEmail.Compose(Model("2027-01-07T09:00:00Z", threeDays), ["m@partner.example"]);

        Assert.Equal("reminder/7/7d", first.IdentityKey);
        Assert.Equal(first.IdentityKey, retry.IdentityKey);
        Assert.NotEqual(first.IdentityKey, next.IdentityKey);
    }

    /// <summary>Saves a rendering of <paramref name="message"/> for people to read; other emails' tests use it too.</summary>
    internal static async Task SaveArtifactAsync(string kind, EmailMessage message)
    {
        var folder = Path.Combine(RepositoryFolder.Root, "TestResults", "emails");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, kind + ".txt"), $"Subject: {message.Subject}\n\n{message.TextBody}");
        await File.WriteAllTextAsync(Path.Combine(folder, kind + ".html"), message.HtmlBody);

        // The exact .eml the product writes, through the real sender's pickup directory.
        var pickup = Path.Combine(folder, kind + ".pickup");
        Directory.CreateDirectory(pickup);
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { From = "credential-portal@example.org", PickupDirectory = pickup }),
            TimeProvider.System, NullLogger<SmtpEmailSender>.Instance);
        await sender.SendAsync(message);
        File.Move(Directory.GetFiles(pickup, "*.eml").Single(), Path.Combine(folder, kind + ".eml"), overwrite: true);
        Directory.Delete(pickup, recursive: true);
    }
}
