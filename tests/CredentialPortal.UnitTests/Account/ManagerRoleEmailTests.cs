using CredentialPortal.Core.Applications;
using CredentialPortal.Web.Account;

namespace CredentialPortal.UnitTests.Account;

public sealed class ManagerRoleEmailTests
{
    private static readonly Application Application = new() { ClientId = "client-<1>", Name = "A & B <script>", ApiCode = "DM" };

    [Theory]
    [InlineData(true, "You are now a credential manager of A & B <script>")]
    [InlineData(false, "You are no longer a credential manager of A & B <script>")]
    public void Both_emails_have_an_html_part_with_every_value_encoded(bool assigned, string subject)
    {
        var message = ManagerRoleEmail.Compose("m@partner.example", Application, assigned, "https://portal.example/");

        Assert.Equal(subject, message.Subject);
        Assert.Equal(["m@partner.example"], message.To);
        Assert.Contains("A & B <script>", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("A &amp; B &lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("client-&lt;1&gt;", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_change_is_its_own_email()
    {
        // The outbox stores the key with the email, so every retry of one change carries the same Message-ID.
        var first = ManagerRoleEmail.Compose("m@partner.example", Application, assigned: true, "https://portal.example");
        var later = ManagerRoleEmail.Compose("m@partner.example", Application, assigned: false, "https://portal.example");

        Assert.StartsWith("manager-role/", first.IdentityKey, StringComparison.Ordinal);
        Assert.NotEqual(first.IdentityKey, later.IdentityKey);
        Assert.Contains("https://portal.example/manage-api-credentials", first.HtmlBody, StringComparison.Ordinal);
    }
}
