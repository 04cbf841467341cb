using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Core.Administration;

/// <summary>
/// The rules an application form must meet beyond its annotations (docs/rules.md#applications): the naming
/// convention, permissions the API allows, sandbox-only applications without production permissions, valid
/// notification addresses and a first secret's name and expiry. Messages are keyed by the form's property names.
/// </summary>
internal static class ApplicationFormRules
{
    public sealed record Checked(List<(string Api, ApiEnvironment Environment)> Permissions, List<string> NotificationEmails,
        List<string> IntrospectionAudiences);

    /// <summary>The longest audience a resource server may list (an absolute URL or a plain name, as in <c>aud</c>).</summary>
    public const int MaxAudienceLength = 200;

    /// <summary>Checks the form (proposing the name on creation when it is empty) and adds every problem to <paramref name="errors"/>.</summary>
    public static Checked Check(ApplicationForm form, Organisation? organisation, Application? existing, DateTime now,
        List<KeyValuePair<string, string>> errors)
    {
        void Error(string field, string message) => errors.Add(new(field, message));
        if (organisation is null)
        {
            Error(nameof(form.OrganisationId), "Choose the organisation.");
        }

        if (!AuthenticationPolicies.Choices.Contains(form.AllowedKinds))
        {
            Error(nameof(form.AllowedKinds), "Choose which kinds of credential the application may authenticate with: at least one.");
        }

        var api = ApiCatalog.FindApi(form.ApiCode ?? "");
        if (api is null)
        {
            Error(nameof(form.ApiCode), "Choose the API.");
        }

        form.Name = string.IsNullOrWhiteSpace(form.Name) && organisation is not null && api is not null && existing is null
            ? ApplicationName.Propose(organisation.CountryCode, organisation.Name, api.Code, form.IsSandboxOnly)
            : form.Name?.Trim();
        if (string.IsNullOrEmpty(form.Name))
        {
            // On creation an empty name means "the proposed one": what is missing is the organisation or the API, said above.
            if (existing is not null)
            {
                Error(nameof(form.Name), "Enter the application's name.");
            }
        }
        else if (ApplicationName.Validate(form.Name, form.IsSandboxOnly) is { } nameError)
        {
            Error(nameof(form.Name), nameError);
        }
        else if (organisation is not null && !form.Name.Contains($"-{organisation.CountryCode}-", StringComparison.Ordinal))
        {
            Error(nameof(form.Name), $"The country code in the name must be the organisation's ({organisation.CountryCode}).");
        }
        else if (!form.Name.EndsWith($"-{form.ApiCode}", StringComparison.Ordinal))
        {
            Error(nameof(form.Name), $"The name must end with the API code ({form.ApiCode}).");
        }

        var permissions = new List<(string Api, ApiEnvironment Environment)>();
        foreach (var value in form.Permissions.Distinct(StringComparer.Ordinal))
        {
            var parts = value.Split('|');
            if (parts.Length != 2 || !ApiCatalog.IsResource(parts[0]) || !Enum.TryParse<ApiEnvironment>(parts[1], out var environment) || !Enum.IsDefined(environment))
            {
                Error(nameof(form.Permissions), $"'{value}' is not a known permission.");
                continue;
            }

            if (api is not null && !ApiCatalog.Allows(api.Code, parts[0]))
            {
                Error(nameof(form.Permissions), $"A {api.DisplayName} ({api.Code}) application can hold only " +
                    $"{string.Join(" and ", api.Resources.Select(ApiCatalog.DisplayNameOf))} permissions, not {ApiCatalog.DisplayNameOf(parts[0])}.");
                continue;
            }

            permissions.Add((parts[0], environment));
        }

        if (form.IsSandboxOnly && permissions.Any(p => p.Environment == ApiEnvironment.Production))
        {
            Error(nameof(form.Permissions), "A sandbox-only (PartnerAlternative) application can hold sandbox permissions only.");
        }

        var emails = (form.NotificationEmails ?? "")
            .Split(['\n', '\r', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        // MimeKit (MailKit's parser, the one that sends these emails): a bare address with a domain, nothing around it.
        foreach (var address in emails.Where(a => !MimeKit.MailboxAddress.TryParse(a, out var parsed) || parsed.Address != a || parsed.Domain.Length == 0))
        {
            Error(nameof(form.NotificationEmails), $"'{address}' is not an email address.");
        }

        var audiences = (form.IntrospectionAudiences ?? "")
            .Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var audience in audiences.Where(a => a.Length > MaxAudienceLength || a.Any(char.IsWhiteSpace) || PlainText.HasControlCharacters(a)))
        {
            Error(nameof(form.IntrospectionAudiences), $"'{PlainText.Echo(audience)}' is not an audience: one per line, without spaces, at most {MaxAudienceLength} characters.");
        }

        if (existing is null && form.CreateFirstSecret)
        {
            // The same refusal a secret created later meets (CredentialRules), said where the administrator ticked the box.
            if (form.AllowedKinds.RefusalToCreate(CredentialKind.Secret) is not null)
            {
                Error(nameof(form.CreateFirstSecret), $"A first secret cannot be created under \"{form.AllowedKinds.Describe()}\": " +
                    "untick \"Create the first secret\" and add a public key once the application exists, or choose a policy that allows secrets.");
            }

            if (string.IsNullOrWhiteSpace(form.FirstSecretName))
            {
                Error(nameof(form.FirstSecretName), "Enter a name for the first secret.");
            }

            if (form.FirstSecretExpiry is not { } expiry)
            {
                Error(nameof(form.FirstSecretExpiry), "Choose when the first secret expires.");
            }
            else if (CredentialExpiryPolicy.Validate(CredentialKind.Secret, expiry, now) is { } expiryError)
            {
                Error(nameof(form.FirstSecretExpiry), expiryError);
            }
        }

        return new Checked(permissions, emails, form.IsResourceServer ? audiences : []);
    }
}
