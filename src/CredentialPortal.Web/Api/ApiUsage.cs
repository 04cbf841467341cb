using System.ComponentModel;
using System.Globalization;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Usage;

namespace CredentialPortal.Web.Api;

/// <summary>An application's daily usage: every UTC day of the range, oldest first, zeros included.</summary>
public sealed record UsageResource(
    string ClientId,
    [property: Description("The first day of the range (UTC).")] DateOnly From,
    [property: Description("The last day of the range: today (UTC). Its counts may lag by the token service's flush interval (seconds).")] DateOnly To,
    [property: Description("The credentials that obtained tokens in the range, most tokens first; a deleted one has kind null.")] IReadOnlyList<UsageCredentialResource> Credentials,
    IReadOnlyList<UsageDayResource> Days);

public sealed record UsageCredentialResource(int Id, string Name, string Hint, [property: Description("secret or key; null when deleted since.")] string? Kind);

public sealed record UsageDayResource(
    DateOnly Day,
    [property: Description("Tokens issued, all credentials together.")] long Tokens,
    [property: Description("Failed client authentications of this application, all reasons together.")] long Failures,
    [property: Description("Tokens issued per credential id.")] IReadOnlyDictionary<string, long> TokensByCredential,
    [property: Description("Failed authentications per reason, e.g. wrong_secret, expired_secret, disabled_key.")] IReadOnlyDictionary<string, long> FailuresByReason);

/// <summary><c>GET /api/v1/applications/{clientId}/usage?days=N</c>: the numbers the credentials page's chart draws (<see cref="UsageQueries"/>).</summary>
internal static class ApiUsage
{
    public const int DefaultDays = 30;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/applications/{clientId}/usage", GetAsync)
            .WithName("GetUsage")
            .WithSummary("Tokens issued per credential and failed authentications per reason, per UTC day")
            .WithDescription($"days: how many days ending today (1 to {UsageQueries.MaxDays}, default {DefaultDays}). Counts are " +
                "written by the token service every few seconds; usage is kept for 400 days by default.")
            .Produces<UsageResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> GetAsync(string clientId, [Description("Days ending today, 1 to 400 (default 30).")] string? days,
        ApiCaller caller, HttpContext context, CredentialPortalDbContext db, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        var count = DefaultDays;
        if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out count) || UsageQueries.ValidateDays(count) is not null))
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]> { ["days"] = [UsageQueries.ValidateDays(0)!] });
        }

        var series = await UsageQueries.ForApplicationAsync(db, application.Id, count, time.GetUtcNow().UtcDateTime, context.RequestAborted);
        return Results.Ok(From(application.ClientId, series));
    }

    public static UsageResource From(string clientId, UsageSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return new UsageResource(clientId, series.From, series.To,
            [.. series.Credentials.Select(c => new UsageCredentialResource(c.Id, c.Name, c.Hint, c.Kind?.ToString().ToLowerInvariant()))],
            [.. series.Days.Select(d => new UsageDayResource(d.Day, d.Tokens, d.Failures,
                d.TokensByCredential.ToDictionary(t => t.Key.ToString(CultureInfo.InvariantCulture), t => t.Value),
                d.FailuresByReason))]);
    }
}
