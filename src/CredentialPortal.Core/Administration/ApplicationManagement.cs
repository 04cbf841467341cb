using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using CredentialPortal.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Administration;

/// <summary>A checked application form: the problems found (keyed by the form's property names), or what to save.</summary>
public sealed record ApplicationPlan(Organisation? Organisation, IReadOnlyList<KeyValuePair<string, string>> Errors,
    IReadOnlyList<(string Api, ApiEnvironment Environment)> Permissions, IReadOnlyList<string> NotificationEmails,
    IReadOnlyList<string> IntrospectionAudiences);

/// <summary>
/// The outcome of saving: the application (and its first secret, shown once); or a concurrent change that won; or the
/// first secret's refusal (keyed by the form's property names), in which case nothing was saved.
/// </summary>
public sealed record ApplicationSaved(Application? Application, bool IsNew, CreatedSecret? FirstSecret = null,
    IReadOnlyList<KeyValuePair<string, string>>? Errors = null)
{
    public bool Conflicted => Application is null && Errors is null;

    public bool Refused => Errors is not null;
}

/// <summary>
/// The administrators' commands on applications (docs/rules.md#applications): create and change one, assign and remove
/// its credential managers (the application's webhook endpoints stay, and those who remain hear about the ones a removed
/// manager registered: <see cref="WebhookRegistrarNotice"/>). Each command commits once: the change, its change-log row
/// (which tells every token-service instance to drop what it cached), its audit event and its emails together or not
/// at all.
/// </summary>
public sealed class ApplicationManagement(
    CredentialPortalDbContext db,
    AuditLog audit,
    SecretManagement secrets,
    CredentialLifecycle credentials,
    IAdministrationEmails emails,
    WebhookRegistrarNotice webhooks,
    TimeProvider time)
{
    public const string ConflictMessage =
        "Someone else changed this application while you were editing it. Reload the page and make your change again.";

    /// <summary>The application with what its edit page shows: organisation, permissions, managers.</summary>
    public Task<Application?> FindAsync(int id, CancellationToken cancellationToken = default) =>
        db.Applications
            .Include(a => a.Organisation)
            .Include(a => a.Permissions)
            .Include(a => a.Managers).ThenInclude(m => m.User)
            .AsSplitQuery()
            .SingleOrDefaultAsync(a => a.Id == id, cancellationToken);

    /// <summary>
    /// Checks a form for a new application (<paramref name="existing"/> null) or a change. Organisation, API and sandbox
    /// status are fixed at creation (names and managers depend on them): for a change they are taken from the application.
    /// </summary>
    public async Task<ApplicationPlan> CheckAsync(Application? existing, ApplicationForm form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (existing is not null)
        {
            form.OrganisationId = existing.OrganisationId;
            form.ApiCode = existing.ApiCode;
            form.IsSandboxOnly = existing.IsSandboxOnly;
        }

        var organisation = await db.Organisations.FindAsync([form.OrganisationId], cancellationToken);
        var errors = new List<KeyValuePair<string, string>>();
        var rules = ApplicationFormRules.Check(form, organisation, existing, time.GetUtcNow().UtcDateTime, errors);
        if (errors.Count == 0 && await db.Applications.AnyAsync(a => a.Name == form.Name && a.Id != (existing == null ? 0 : existing.Id), cancellationToken))
        {
            errors.Add(new(nameof(form.Name), "Another application already has this name."));
        }

        // A policy that cuts off active credentials is saved only on the second post, once its warning was shown.
        if (existing is not null && !form.ConfirmPolicyChange && await AuthenticationPolicies.ChangeWarningAsync(
                db, existing, form.AllowedKinds, time.GetUtcNow().UtcDateTime, cancellationToken) is { } policyWarning)
        {
            errors.Add(new(nameof(form.AllowedKinds), policyWarning));
            form.ConfirmPolicyChange = true;
        }

        return new ApplicationPlan(organisation, errors, rules.Permissions, rules.NotificationEmails, rules.IntrospectionAudiences);
    }

    /// <summary>Saves a checked form (no errors); a change made meanwhile by someone else wins and nothing is saved.</summary>
    public async Task<ApplicationSaved> SaveAsync(Application? existing, ApplicationForm form, ApplicationPlan plan, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Errors.Count > 0 || plan.Organisation is null)
        {
            throw new InvalidOperationException("Only a form without errors can be saved.");
        }

        if (existing is not null && existing.Version != form.Version)
        {
            return new ApplicationSaved(null, IsNew: false);
        }

        var now = time.GetUtcNow().UtcDateTime;
        // A new application needs a first save for its id, which its audit event and change-log row name: the
        // transaction makes the two saves (and a first secret's) one commit. A change is a single save.
        await using var transaction = existing is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var application = existing ?? Add(form, plan.Organisation, now);
        if (existing is null)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        application.Name = form.Name!;
        var deactivated = existing is not null && application.IsActive && !form.IsActive;
        if (existing is not null && !application.IsActive && form.IsActive)
        {
            // Its credentials' reminders are due again, not only from their next slot on.
            await credentials.RemindAgainAsync(application.Id, now, cancellationToken);
        }

        application.IsActive = form.IsActive;
        application.CredentialLimit = form.CredentialLimit;
        application.AllowSelfRotation = form.AllowSelfRotation;
        application.IsAdminAutomationClient = form.IsAdminAutomationClient;
        application.IsResourceServer = form.IsResourceServer;
        application.IntrospectionAudiences = [.. plan.IntrospectionAudiences];
        application.SetAllowedKinds(form.AllowedKinds);
        application.RequireDpop = form.RequireDpop;
        application.NotificationEmails = [.. plan.NotificationEmails];
        application.Version = Guid.NewGuid();
        SetPermissions(application, plan.Permissions);
        db.RecordCredentialChange(application.Id, now);
        audit.Add(existing is null ? AuditEventTypes.ApplicationCreated : AuditEventTypes.ApplicationChanged, actor, Describe(application),
            organisationId: application.OrganisationId, applicationId: application.Id);
        if (deactivated)
        {
            await WebhookOutbox.QueueAsync(db, now, WebhookEventTypes.ApplicationDeactivated, application, null, cancellationToken: cancellationToken);
        }

        CreatedSecret? firstSecret = null;
        if (existing is null && form.CreateFirstSecret)
        {
            // Saves the application's changes with the secret's own audit event, change-log row and notification. A
            // refusal (the form's rules check the same, so only a rule added to SecretManagement alone gets here) leaves
            // the transaction uncommitted: no application without the secret the administrator asked for.
            var created = await secrets.CreateAsync(application, form.FirstSecretName,
                CredentialExpiryPolicy.ExpiresAtFor(form.FirstSecretExpiry!.Value), actor, cancellationToken);
            if (!created.Succeeded)
            {
                db.ChangeTracker.Clear();
                return new ApplicationSaved(null, IsNew: true, Errors: [.. created.Errors.Select(e => KeyValuePair.Create(FirstSecretField(e.Key), e.Value))]);
            }

            firstSecret = created.Value;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        credentials.AfterCommit(application.Id);
        return new ApplicationSaved(application, existing is null, firstSecret);
    }

    /// <summary>Makes a user of the application's organisation its credential manager; returns the refusal, or null.</summary>
    public async Task<string?> AddManagerAsync(Application application, Guid? userId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(actor);
        var user = userId is { } id ? await db.Users.FindAsync([id], cancellationToken) : null;
        if (user is null)
        {
            return "Choose a user to make credential manager.";
        }

        if (user.OrganisationId != application.OrganisationId)
        {
            return $"{user.Email} belongs to another organisation: only users of {application.Organisation.Name} can manage this application.";
        }

        if (application.Managers.Any(m => m.UserId == user.Id))
        {
            return $"{user.Email} already manages this application.";
        }

        db.CredentialManagers.Add(new CredentialManagerAssignment
        {
            UserId = user.Id,
            ApplicationId = application.Id,
            AssignedAt = time.GetUtcNow().UtcDateTime,
            AssignedBy = actor.Name,
        });
        audit.Add(AuditEventTypes.RoleGranted, actor, $"credential manager of {application.Name}: {user.Email}",
            organisationId: application.OrganisationId, applicationId: application.Id);
        Notify(user, application, assigned: true);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task RemoveManagerAsync(Application application, CredentialManagerAssignment assignment, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(assignment);
        db.CredentialManagers.Remove(assignment);
        audit.Add(AuditEventTypes.RoleRevoked, actor, $"credential manager of {application.Name}: {assignment.User.Email}",
            organisationId: application.OrganisationId, applicationId: application.Id);
        Notify(assignment.User, application, assigned: false);
        await webhooks.QueueAsync(assignment.User, [application.Id], actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    private Application Add(ApplicationForm form, Organisation organisation, DateTime now)
    {
        var application = new Application
        {
            ClientId = SecretGenerator.NewClientId(),
            Name = form.Name!,
            ApiCode = form.ApiCode,
            OrganisationId = organisation.Id,
            IsSandboxOnly = form.IsSandboxOnly,
            CreatedAt = now,
        };
        db.Applications.Add(application);
        return application;
    }

    /// <summary>The audit event's details: every setting that decides what the application may do.</summary>
    private static string Describe(Application application) =>
        $"{application.Name}: {(application.IsActive ? "active" : "inactive")}, " +
        $"scopes {string.Join(" ", application.Permissions.Select(p => p.Scope).Order(StringComparer.Ordinal))}, " +
        $"credential limit {application.CredentialLimit}, self-rotation {OnOff(application.AllowSelfRotation)}, " +
        $"admin automation {OnOff(application.IsAdminAutomationClient)}, resource server {ResourceServer(application)}, " +
        $"authentication {application.AllowedKinds.Describe().ToLowerInvariant()}, " +
        $"DPoP {(application.RequireDpop ? "required" : "optional")}";

    private static string OnOff(bool value) => value ? "on" : "off";

    private static string ResourceServer(Application application) =>
        !application.IsResourceServer ? "off"
        : application.IntrospectionAudiences.Count == 0 ? "on (partner APIs' audiences)"
        : $"on ({string.Join(" ", application.IntrospectionAudiences)})";

    private static void SetPermissions(Application application, IReadOnlyList<(string Api, ApiEnvironment Environment)> wanted)
    {
        application.Permissions.RemoveAll(p => !wanted.Contains((p.Api, p.Environment)));
        foreach (var (api, environment) in wanted.Where(w => !application.Permissions.Any(p => p.Api == w.Api && p.Environment == w.Environment)))
        {
            application.Permissions.Add(new ApplicationPermission { Api = api, Environment = environment });
        }
    }

    /// <summary>Queues the email in this unit of work: it commits with the assignment or removal it reports.</summary>
    private void Notify(PortalUser user, Application application, bool assigned)
    {
        if (user.Email is not null)
        {
            emails.QueueManagerRoleChange(user.Email, application, assigned);
        }
    }

    /// <summary>The form's field for a field of <see cref="SecretManagement"/>'s refusal.</summary>
    private static string FirstSecretField(string secretField) => secretField switch
    {
        SecretManagement.ExpiryField => nameof(ApplicationForm.FirstSecretExpiry),
        SecretManagement.NameField => nameof(ApplicationForm.FirstSecretName),
        _ => nameof(ApplicationForm.CreateFirstSecret),
    };
}
