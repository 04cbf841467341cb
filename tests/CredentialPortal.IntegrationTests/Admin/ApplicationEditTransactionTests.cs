using System.Net;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>Issue 12 item 10: an application edit and its change-log row commit together or not at all.</summary>
public sealed class ApplicationEditTransactionTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_edit_whose_change_log_row_cannot_be_written_is_not_saved(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var application = await CreateApplicationAsync(portal);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new AdminPages(admin);
        var edit = await pages.ApplicationAsync(application.Id);

        // A real fault in the second write of the edit: the database refuses the change-log row.
        await using (var db = portal.CreateDbContext())
        {
            foreach (var statement in RefuseChangeLogRows(provider))
            {
                await db.Database.ExecuteSqlRawAsync(statement);
            }
        }

        var saved = await pages.DeactivateApplicationAsync(application.Id, edit);

        Assert.Equal(HttpStatusCode.InternalServerError, saved.Status);
        await using var check = portal.CreateDbContext();
        Assert.True(await check.Applications.Where(a => a.Id == application.Id).Select(a => a.IsActive).SingleAsync(),
            "the deactivation was committed without its change-log row, so the token service's caches would never hear of it");
    }

    private static string[] RefuseChangeLogRows(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite =>
        [
            """CREATE TRIGGER refuse_change_log BEFORE INSERT ON "CredentialChanges" BEGIN SELECT RAISE(ABORT, 'change log refused'); END;""",
        ],
        DatabaseProvider.PostgreSql =>
        [
            """CREATE FUNCTION refuse_change_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'change log refused'; END $$;""",
            """CREATE TRIGGER refuse_change_log BEFORE INSERT ON "CredentialChanges" FOR EACH ROW EXECUTE FUNCTION refuse_change_log();""",
        ],
        _ => ["CREATE TRIGGER refuse_change_log ON CredentialChanges INSTEAD OF INSERT AS THROW 50000, 'change log refused', 1;"],
    };
}
