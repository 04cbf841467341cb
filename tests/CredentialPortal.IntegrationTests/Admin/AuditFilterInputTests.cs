using System.Net;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Admin;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>Audit filters a hand-edited address can hold (issue 19 item 1); the cases only read, so they share one host.</summary>
public sealed class AuditFilterInputTests(AdministratorSession session) : IClassFixture<AdministratorSession>
{
    // Item 1: 9999-12-31 used to end in ArgumentOutOfRangeException (the day after it does not exist).
    [Theory]
    [InlineData("To=9999-12-31", "The end date must be between 2000-01-01 and 2099-12-31.")]
    [InlineData("From=0001-01-01", "The start date must be between 2000-01-01 and 2099-12-31.")]
    [InlineData("From=9999-12-31&To=9999-12-31", "The start date must be between 2000-01-01 and 2099-12-31.")]
    [InlineData("To=2026-13-45", "The value '2026-13-45' is not valid for To.")]
    [InlineData("OrganisationId=99999999999", "The value '99999999999' is not valid for OrganisationId.")]
    public async Task Audit_filters_out_of_range_are_field_messages_not_server_errors(string query, string message)
    {
        await session.ReadyAsync();
        var pages = new AdminPages(session.Admin);
        var page = await pages.AuditAsync(query);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(message, page.FieldErrors);
        using var csv = await pages.AuditCsvAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
    }
}
