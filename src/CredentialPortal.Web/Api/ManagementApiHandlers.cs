using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Api;

/// <summary>
/// The management API's handlers for applications and secrets (keys: <see cref="ManagementApiKeyHandlers"/>). Every
/// change goes through Core (<see cref="SecretManagement"/>, <see cref="CredentialLifecycle"/>), which validates, audits,
/// invalidates the token service's cache and notifies the credential managers, exactly as for the portal.
/// </summary>
internal static partial class ManagementApiHandlers
{
    /// <summary>Request bodies are strict: an unknown or duplicated field is a mistake the caller should hear about.</summary>
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static async Task<IResult> ListAsync(ApiCaller caller, HttpContext context, CredentialPortalDbContext db, TimeProvider time)
    {
        var applications = await Applications(db)
            .Where(a => caller.IsAdministrator || a.Id == caller.ApplicationId)
            .OrderBy(a => a.Name)
            .ToListAsync(context.RequestAborted);
        var now = time.GetUtcNow().UtcDateTime;
        return Results.Ok(new ApplicationList([.. applications.Select(a => ApiResources.From(a, now))]));
    }

    public static async Task<IResult> GetAsync(string clientId, ApiCaller caller, HttpContext context, CredentialPortalDbContext db, TimeProvider time)
    {
        var application = await FindAsync(db, context, caller, clientId);
        if (application is null)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Ok(ApiResources.From(application, time.GetUtcNow().UtcDateTime));
    }

    public static async Task<IResult> GetSecretAsync(string clientId, string id, ApiCaller caller, HttpContext context, CredentialPortalDbContext db,
        TimeProvider time)
    {
        var application = await FindAsync(db, context, caller, clientId);
        if (application is null)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (FindSecret(application, id) is not { } secret)
        {
            return ApiProblems.SecretNotFound(clientId, id);
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Ok(SecretResource.From(secret, time.GetUtcNow().UtcDateTime));
    }

    public static async Task<IResult> CreateSecretAsync(string clientId, ApiCaller caller, HttpContext context,
        CredentialPortalDbContext db, SecretManagement secrets, TimeProvider time)
    {
        var application = await FindAsync(db, context, caller, clientId);
        if (application is null)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        var (request, readError) = await ReadJsonAsync<CreateSecretRequest>(context.Request);
        if (readError is not null)
        {
            return readError;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (ParseExpiry(CredentialKind.Secret, request!.ExpiresAt, now, out var expiresAt) is { } expiryError)
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]> { ["expiresAt"] = [expiryError] });
        }

        FieldResult<CreatedSecret> result;
        try
        {
            result = await secrets.CreateAsync(application, request.Name, expiresAt, caller.Actor, context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.PreconditionFailed();
        }

        if (result.Value is not { } created)
        {
            return ApiProblems.Invalid(result.Errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => new[] { e.Value }));
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        context.Response.Headers.Pragma = "no-cache";
        var secret = SecretResource.From(created.Secret, now);
        return Results.Created($"/api/v1/applications/{Uri.EscapeDataString(application.ClientId)}/secrets/{secret.Id}",
            new CreatedSecretResource(secret.Id, secret.Name, secret.Hint, secret.CreatedAt, secret.CreatedBy, secret.ExpiresAt,
                secret.DaysLeft, secret.Status, secret.DisabledAt, secret.LastUsedAt, application.ClientId, created.Value));
    }

    private static IQueryable<Application> Applications(CredentialPortalDbContext db) => db.Applications
        .Include(a => a.Organisation)
        .Include(a => a.Permissions)
        .Include(a => a.Secrets)
        .Include(a => a.Keys)
        .Include(a => a.FederatedIdentities)
        .AsSplitQuery();

    /// <summary>The application, or null when it does not exist or the caller may not manage it: both answer 404.</summary>
    internal static async Task<Application?> FindAsync(CredentialPortalDbContext db, HttpContext context, ApiCaller caller, string clientId)
    {
        var application = await Applications(db).SingleOrDefaultAsync(a => a.ClientId == clientId, context.RequestAborted);
        return application is not null && caller.MayManage(application.Id) ? application : null;
    }

    internal static ClientSecret? FindSecret(Application application, string id) => FindCredential(application.Secrets, id);

    /// <summary>The credential with the id in the URL: a non-negative decimal number, or no credential at all (404).</summary>
    internal static T? FindCredential<T>(IEnumerable<T> credentials, string id)
        where T : ClientCredential =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var credentialId)
            ? credentials.SingleOrDefault(c => c.Id == credentialId)
            : null;

    internal static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, ApiProblems.UnsupportedMediaType());
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, RequestJson, request.HttpContext.RequestAborted);
            return value is null ? (null, ApiProblems.BadRequest("The request body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex) when (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return (null, ApiProblems.BadRequest($"The request body has a field this operation does not know ({ex.Path}). " +
                $"Allowed fields: {string.Join(", ", typeof(T).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)))}."));
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.BadRequest($"The request body is not valid JSON for this operation (at {ex.Path}, line " +
                $"{(ex.LineNumber ?? 0) + 1}): check the syntax and the types of the fields."));
        }
    }

    /// <summary>
    /// Accepts an RFC 3339 date-time with an explicit offset, or a plain date meaning the start of that day in UTC (as the
    /// portal's date field does). Returns an error message, or null.
    /// </summary>
    internal static string? ParseExpiry(CredentialKind kind, string? value, DateTime now, out DateTime expiresAt)
    {
        expiresAt = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter expiresAt: an RFC 3339 date-time such as 2027-05-01T00:00:00Z, or a date such as 2027-05-01.";
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            expiresAt = CredentialExpiryPolicy.ExpiresAtFor(date);
            return CredentialExpiryPolicy.Validate(kind, date, now);
        }

        if (!Rfc3339DateTime().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return $"expiresAt must be an RFC 3339 date-time with an offset (2027-05-01T00:00:00Z) or a date (2027-05-01).";
        }

        expiresAt = instant.UtcDateTime;
        return CredentialExpiryPolicy.Validate(kind, expiresAt, now);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339DateTime();
}
