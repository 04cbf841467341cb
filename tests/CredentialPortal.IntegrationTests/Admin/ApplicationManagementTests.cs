using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>
/// Issue 26: "Keys only" with "Create the first secret" ticked saved the application with no secret and no message. The
/// form's rules now refuse it, and the save itself returns the creation's refusal rather than ignoring it.
/// </summary>
public sealed class ApplicationManagementTests
{
    [Fact]
    public async Task A_first_secret_the_policy_refuses_is_reported_by_the_rules_and_by_the_save_and_nothing_is_saved()
    {
        await using var portal = await PortalFactory.StartAsync(DatabaseProvider.Sqlite, settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var now = portal.Time.GetUtcNow().UtcDateTime;
        int organisationId;
        await using (var db = portal.CreateDbContext())
        {
            var organisation = new Organisation { Name = "Acme", CountryCode = "NL", CreatedAt = now };
            db.Organisations.Add(organisation);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            organisationId = organisation.Id;
        }

        using var scope = portal.Services.CreateScope();
        var management = scope.ServiceProvider.GetRequiredService<ApplicationManagement>();
        var form = new ApplicationForm
        {
            OrganisationId = organisationId,
            ApiCode = "DM",
            AllowedKinds = AllowedKinds.Keys,
            CreateFirstSecret = true,
            FirstSecretName = "Initial secret",
            FirstSecretExpiry = DateOnly.FromDateTime(now).AddMonths(6),
        };

        var plan = await management.CheckAsync(null, form, TestContext.Current.CancellationToken);
        var (field, message) = Assert.Single(plan.Errors);
        Assert.Equal(nameof(ApplicationForm.CreateFirstSecret), field);
        Assert.StartsWith("A first secret cannot be created under \"Keys only\"", message, StringComparison.Ordinal);

        int changeLogRows;
        await using (var db = portal.CreateDbContext())
        {
            changeLogRows = await db.CredentialChanges.CountAsync(TestContext.Current.CancellationToken);
        }

        // Saved regardless of the form's rules, the creation's own refusal comes back and the transaction is not committed.
        var saved = await management.SaveAsync(null, form, plan with { Errors = [] }, new AuditActor(PortalFactory.AdminEmail),
            TestContext.Current.CancellationToken);

        Assert.True(saved.Refused);
        Assert.False(saved.Conflicted);
        Assert.Null(saved.Application);
        var refusal = Assert.Single(saved.Errors!);
        Assert.Equal(nameof(ApplicationForm.FirstSecretName), refusal.Key);
        Assert.Contains("keys only", refusal.Value, StringComparison.Ordinal);
        await using var check = portal.CreateDbContext();
        Assert.False(await check.Applications.AnyAsync(TestContext.Current.CancellationToken));
        Assert.False(await check.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.ApplicationCreated, TestContext.Current.CancellationToken));
        Assert.Equal(changeLogRows, await check.CredentialChanges.CountAsync(TestContext.Current.CancellationToken));
    }
}
