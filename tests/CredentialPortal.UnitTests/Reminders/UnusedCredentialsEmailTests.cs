using System.Globalization;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Reminders;

namespace CredentialPortal.UnitTests.Reminders;

/// <summary>
/// The monthly unused-credentials digest's content (issue 35 item 2); a rendering is saved under
/// <c>TestResults/emails</c> beside the reminders'.
/// </summary>
public sealed class UnusedCredentialsEmailTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);
    private const string Page = "https://credentials.example.org/manage-api-credentials";

    [Fact]
    public async Task The_digest_lists_each_application_and_credential_with_why_it_is_unused_and_asks_to_delete_it()
    {
        var message = UnusedCredentialsEmail.Compose("manager@partner.example",
        [
            new("Partner-NL-DemoOrg-DM", "3f0c9a52-5d1e-4b8e-9d0a-6c1f1f0e2b7a",
            [
                new(CredentialKind.Secret, "Batch job by Demo Manager", "Ab3", new UnusedFlag(UnusedReason.NeverUsed, 120, Now.AddDays(-120))),
                new(CredentialKind.Key, "CI signing key", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
                    new UnusedFlag(UnusedReason.NotUsedRecently, 95, Now.AddDays(-95))),
            ]),
            new("Partner-NL-DemoOrg-SMC", "8a1d2e47-0c3b-4f5e-9a6b-7c8d9e0f1a2b",
            [
                new(CredentialKind.FederatedIdentity, "Deploy workflow", "repo:demoorg/deploy:ref:refs/heads/main",
                    new UnusedFlag(UnusedReason.NeverUsed, 91, Now.AddDays(-91))),
            ]),
        ], Guid.Parse("5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"), Now, Page);

        Assert.Equal("3 unused credentials: delete them? (December 2026)", message.Subject);
        Assert.Equal("unused-credentials/2026-12/5b4a3c2d1e0f4a9b8c7d6e5f4a3b2c1d", message.IdentityKey);
        Assert.StartsWith("Hello,\n\n3 credentials of applications you manage have not obtained an access token for 90 days or more, or never have.",
            message.TextBody.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("- Secret \"Batch job by Demo Manager\" (Ab3\u2026): never used in the 120 days since it was created — unused: delete it?",
            message.TextBody, StringComparison.Ordinal);
        Assert.Contains("- Key \"CI signing key\" (NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs): not used for 95 days (last used 2026-08-28 09:00 UTC)",
            message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Partner-NL-DemoOrg-SMC (client ID 8a1d2e47-0c3b-4f5e-9a6b-7c8d9e0f1a2b)", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("- Federated identity \"Deploy workflow\" (repo:demoorg/deploy:ref:refs/heads/main): never used", message.TextBody, StringComparison.Ordinal);
        Assert.Contains(Page, message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Page}\">", message.HtmlBody, StringComparison.Ordinal);
        await ReminderEmailTests.SaveArtifactAsync("unused-credentials-digest", message);
    }

    [Fact]
    public void One_credential_reads_in_the_singular_and_a_long_list_is_cut_with_a_count()
    {
        var one = UnusedCredentialsEmail.Compose("m@partner.example",
            [new("Partner-NL-DemoOrg-DM", "id", [new(CredentialKind.Secret, "Spare", "Ab3", new UnusedFlag(UnusedReason.NeverUsed, 90, Now.AddDays(-90)))])],
            Guid.NewGuid(), Now, Page);
        Assert.Equal("1 unused credential: delete it? (December 2026)", one.Subject);
        Assert.Contains("A credential of an application you manage has not obtained an access token for 90 days or more, or never has.", one.TextBody,
            StringComparison.Ordinal);

        var many = Enumerable.Range(0, UnusedCredentialsEmail.MaxListed + 12)
            .Select(i => new UnusedCredentialLine(CredentialKind.Secret, "Spare " + i.ToString(CultureInfo.InvariantCulture), "Ab3",
                new UnusedFlag(UnusedReason.NeverUsed, 90, Now.AddDays(-90))))
            .ToList();
        var cut = UnusedCredentialsEmail.Compose("m@partner.example", [new("Partner-NL-DemoOrg-DM", "id", many)], Guid.NewGuid(), Now, Page);
        Assert.Equal(UnusedCredentialsEmail.MaxListed, cut.TextBody.Split('\n').Count(l => l.StartsWith("- Secret", StringComparison.Ordinal)));
        Assert.Contains("… and 12 more credentials: see the credentials page.", cut.TextBody, StringComparison.Ordinal);
    }
}
