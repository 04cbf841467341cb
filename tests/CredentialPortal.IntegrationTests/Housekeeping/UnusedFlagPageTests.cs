using AngleSharp.Dom;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Housekeeping;

/// <summary>
/// Issue 35 item 2: the credentials page flags an active credential never used in 90 days since its creation, or not used
/// for 90 days, in words beside its "last used", with the suggestion to delete it; used, young, disabled or expired ones
/// carry no flag.
/// </summary>
public sealed class UnusedFlagPageTests(AdministratorSession session) : IClassFixture<AdministratorSession>, IAsyncLifetime
{
    private PortalFactory Portal => session.Portal;

    public async ValueTask InitializeAsync() => await session.ReadyAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Unused_credentials_are_flagged_in_words_with_the_suggestion_to_delete_them()
    {
        var now = Portal.Time.GetUtcNow().UtcDateTime;
        var application = await CreateApplicationAsync(Portal);
        var (_, neverUsed) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(200));
        var (_, notRecently) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(200));
        var (_, inUse) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(200));
        var (_, young) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(200));
        var (_, disabled) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(200), disabled: true);
        await SetUsageAsync(neverUsed, createdAt: now.AddDays(-120), lastUsedAt: null);
        await SetUsageAsync(notRecently, createdAt: now.AddDays(-300), lastUsedAt: now.AddDays(-95));
        await SetUsageAsync(inUse, createdAt: now.AddDays(-300), lastUsedAt: now.AddDays(-2));
        await SetUsageAsync(young, createdAt: now.AddDays(-89), lastUsedAt: null);
        await SetUsageAsync(disabled, createdAt: now.AddDays(-300), lastUsedAt: null);
        var credentials = new CredentialsPages(session.Admin, application.Id);

        var list = await credentials.ListAsync(search: application.Name);

        var flagged = Row(list, credentials, neverUsed).QuerySelector(".unused-note");
        Assert.NotNull(flagged);
        Assert.Equal("note", flagged.GetAttribute("role"));
        Assert.Equal("Unused Never used in the 120 days since it was created: if nothing needs it any more, delete it.", Normalise(flagged.TextContent));
        Assert.Equal($"Unused Not used for 95 days (last used {Core.PortalText.Time(now.AddDays(-95))}): if nothing needs it any more, delete it.",
            Normalise(Row(list, credentials, notRecently).QuerySelector(".unused-note")?.TextContent));
        Assert.All(new[] { inUse, young, disabled }, id => Assert.Null(Row(list, credentials, id).QuerySelector(".unused-note")));
        // Deleting is one click away in the same row.
        Assert.NotNull(Row(list, credentials, neverUsed).QuerySelector($"a[href='{credentials.DeletePath(neverUsed)}']"));
    }

    private static IElement Row(HtmlPage list, CredentialsPages credentials, int id) =>
        CredentialsPages.Rows(list, CredentialKind.Secret).Single(r => r.QuerySelector($"a[href='{credentials.DeletePath(id)}']") is not null);

    private static string Normalise(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private async Task SetUsageAsync(int id, DateTime createdAt, DateTime? lastUsedAt)
    {
        await using var db = Portal.CreateDbContext();
        await db.ClientCredentials.Where(c => c.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, createdAt).SetProperty(c => c.LastUsedAt, lastUsedAt), TestContext.Current.CancellationToken);
    }
}
