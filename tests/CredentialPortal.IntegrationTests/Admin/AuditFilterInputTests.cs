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
    [InlineData("To=2026-13-45", "'2026-13-45' is not a date: enter the end date as year-month-day, e.g. 2026-12-06.")]
    [InlineData("From=abc", "'abc' is not a date: enter the start date as year-month-day, e.g. 2026-12-06.")]
    [InlineData("OrganisationId=99999999999", "'99999999999' is not one of the organisations: choose one from the list.")]
    [InlineData("ApplicationId=x", "'x' is not one of the applications: choose one from the list.")]
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

    [Fact]
    public async Task The_event_filter_names_events_in_words_and_the_organisation_filter_applies_at_once()
    {
        await session.ReadyAsync();
        var page = await new AdminPages(session.Admin).AuditAsync("");
        var created = page.Document.QuerySelector("#EventType option[value='application.created']")!;
        Assert.Equal("Application created", created.TextContent);
        // site.js submits the filter when the organisation changes, resetting the application it names.
        Assert.Equal("ApplicationId", page.Document.QuerySelector("#OrganisationId")!.GetAttribute("data-filter-resets"));
    }
}
