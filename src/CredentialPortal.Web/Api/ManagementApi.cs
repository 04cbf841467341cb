using System.Text.Json.Serialization;
using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace CredentialPortal.Web.Api;

/// <summary>
/// The management API under <c>/api/v1</c>: programmatic secret rotation for applications allowed to self-rotate
/// (scope <c>credentials.self</c>) and for administrators' automation clients (<c>credentials.admin</c>), described by
/// the OpenAPI document at <c>/openapi/v1.json</c>.
/// </summary>
public static class ManagementApi
{
    public const string DocumentName = "v1";
    public const string BearerScheme = "Bearer";
    public const string OAuth2Scheme = "OAuth2";
    private const string Prefix = "/api/v1";
    internal const string AnyContentType = "*/*";

    public static IHostApplicationBuilder AddManagementApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Numbers are numbers: the web defaults would also accept (and the OpenAPI schemas advertise) numeric strings.
        ManagementApiAccess.AddTo(builder.Services);
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer(DescribeDocumentAsync);
            options.AddOperationTransformer(DescribeOperationAsync);
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapManagementApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpenApi().AllowAnonymous();

        // Bearer tokens only: the policy authenticates with the bearer scheme alone (replacing the portal's cookie
        // policy), so a session cookie neither authenticates an API call nor turns a 401 into a sign-in redirect. No
        // cookie, no antiforgery.
        var api = endpoints.MapGroup(Prefix)
            .RequireAuthorization(ManagementApiAccess.Policy)
            .DisableAntiforgery()
            .WithTags("Management API")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/applications", ManagementApiHandlers.ListAsync)
            .WithName("ListApplications")
            .WithSummary("The applications the caller may manage")
            .WithDescription("A self-rotating application sees itself; an administrators' automation client sees every application.")
            .Produces<ApplicationList>();
        api.MapGet("/applications/{clientId}", ManagementApiHandlers.GetAsync)
            .WithName("GetApplication")
            .WithSummary("One application with its permissions and secret metadata")
            .WithDescription("The ETag response header is the application's version; send it as If-Match when changing secrets.")
            .Produces<ApplicationResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/applications/{clientId}/secrets", ManagementApiHandlers.CreateSecretAsync)
            .WithName("CreateSecret")
            .WithSummary("Create a secret; the response carries its value, this one time only")
            .WithDescription("Same validation and limits as the portal: a name of at most 100 characters, an expiry in the " +
                "future and at most one year ahead, and at most the application's credential limit. Answers 201 with " +
                "Cache-Control: no-store and a Location header.")
            // "*/*" keeps routing from answering a wrong content type with its own 415 endpoint, which lacks this group's
            // metadata and so would meet the portal's sign-in policy; the handler answers 415 as problem details instead.
            .Accepts<CreateSecretRequest>("application/json", AnyContentType)
            .Produces<CreatedSecretResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/applications/{clientId}/secrets/{id}", ManagementApiHandlers.GetSecretAsync)
            .WithName("GetSecret")
            .WithSummary("One secret's metadata (never its value)")
            .Produces<SecretResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ApiCredentialChanges.Map(api, "secrets", "Secret", application => application.Secrets,
            SecretResource.From, ApiProblems.SecretNotFound);
        ApiRotation.Map(api);
        ApiSecretLeaks.Map(api);
        ApiUsage.Map(api);
        ManagementApiKeyHandlers.Map(api);
        ManagementApiFederatedHandlers.Map(api);

        // Any other path or method under /api/v1 lands here rather than on routing's bare 404/405, which would meet the
        // portal's sign-in policy (an API call must never be sent to the sign-in page).
        api.Map("/{**path}", (HttpContext context) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"The management API has no {context.Request.Method} {context.Request.Path}; see /openapi/v1.json."))
            .ExcludeFromDescription();
        return endpoints;
    }

    private static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "CredentialPortal management API",
            Version = DocumentName,
            Description =
                "Programmatic client-secret rotation. Authenticate with an access token from POST /connect/token " +
                $"(client_credentials): scope {TokenScopes.CredentialsSelf} lets an application an administrator allowed to " +
                $"self-rotate manage its own secrets; scope {TokenScopes.CredentialsAdmin} lets an administrators' automation " +
                "client manage every application. Errors are RFC 9457 problem details. Application resources carry an ETag; " +
                "send it as If-Match on changes to detect lost updates (412). A secret's value is returned only by the " +
                "response that creates it (or rotates to it). POST …/secrets/{id}/rotate replaces a secret in one call, the old " +
                "one working for a grace period; GET …/usage gives tokens and failed authentications per day.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = $"An access token from POST /connect/token with the scope {TokenScopes.CredentialsSelf} or {TokenScopes.CredentialsAdmin}. " +
                "A DPoP-bound token (RFC 9449) comes as Authorization: DPoP <token> with a DPoP proof header instead.",
        };
        // The same token as OAuth 2.0 client credentials, so that tools (Swagger UI, Postman) fetch it themselves. The
        // token URL is absolute, the issuer's as discovery publishes it: configured, or the address this request came to.
        var options = context.ApplicationServices.GetRequiredService<IOptions<TokenServiceOptions>>().Value;
        var request = context.ApplicationServices.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request
            ?? throw new InvalidOperationException("The OpenAPI document is described for a request: its token URL follows the issuer.");
        document.Components.SecuritySchemes[OAuth2Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "The client_credentials grant at the token endpoint, asking for one management scope by name.",
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow
                {
                    TokenUrl = new Uri(TokenIssuer.Resolve(options, request) + TokenEndpoint.Path),
                    Scopes = new Dictionary<string, string>
                    {
                        [TokenScopes.CredentialsSelf] = "Manage the calling application's own secrets and keys (an administrator allowed it to self-rotate).",
                        [TokenScopes.CredentialsAdmin] = "Manage every application's secrets and keys (an administrators' automation client).",
                    },
                },
            },
        };
        // Alternatives: a bearer token, or a token with either management scope.
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OAuth2Scheme, document)] = [TokenScopes.CredentialsSelf] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OAuth2Scheme, document)] = [TokenScopes.CredentialsAdmin] },
        ];
        return Task.CompletedTask;
    }

    private static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.RequestBody?.Content?.Remove(AnyContentType);
        if (!HttpMethods.IsGet(context.Description.HttpMethod ?? HttpMethods.Get))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Required = false,
                Description = "The application's ETag from GET /api/v1/applications/{clientId} (or a previous change). " +
                    "When it no longer matches, nothing changes and the answer is 412.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        return Task.CompletedTask;
    }
}
