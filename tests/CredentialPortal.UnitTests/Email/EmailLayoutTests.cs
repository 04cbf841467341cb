using CredentialPortal.Core.Email;

namespace CredentialPortal.UnitTests.Email;

/// <summary>Issue 29 item 15: long unbreakable values (client IDs, thumbprints) wrap instead of widening an email on a phone.</summary>
public sealed class EmailLayoutTests
{
    [Fact]
    public void Every_cell_inherits_a_rule_that_wraps_long_unbreakable_values()
    {
        var html = EmailLayout.Document("Subject", "<table><tr><th>Client ID</th><td><code>0f8fad5b-d9cb-469f-a165-70867728950e</code></td></tr></table>");

        Assert.Contains("overflow-wrap:anywhere;word-break:break-word", html, StringComparison.Ordinal);
        Assert.Contains(">Manage API Credentials</p>", html, StringComparison.Ordinal);
    }
}
