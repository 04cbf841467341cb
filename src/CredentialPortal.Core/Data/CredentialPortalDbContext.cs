using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.DataProtection;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Signing;
using CredentialPortal.Core.Users;
using CredentialPortal.Core.Webhooks;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CredentialPortal.Core.Data;

/// <summary>
/// The one store shared by the portal, the token service and the reminder service, on ASP.NET Core Identity's
/// EF Core schema (users, roles, claims, logins, tokens and passkeys).
/// </summary>
public sealed class CredentialPortalDbContext(DbContextOptions<CredentialPortalDbContext> options)
    : IdentityDbContext<PortalUser, PortalRole, Guid>(options)
{
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Application> Applications => Set<Application>();
    public DbSet<ApplicationPermission> ApplicationPermissions => Set<ApplicationPermission>();
    public DbSet<ClientSecret> ClientSecrets => Set<ClientSecret>();
    public DbSet<ClientKey> ClientKeys => Set<ClientKey>();
    public DbSet<FederatedIdentity> FederatedIdentities => Set<FederatedIdentity>();
    public DbSet<TrustedIssuer> TrustedIssuers => Set<TrustedIssuer>();

    /// <summary>Every kind together (one table): for what all share, e.g. limits, reminders and "last used".</summary>
    public DbSet<ClientCredential> ClientCredentials => Set<ClientCredential>();
    public DbSet<ClientAssertionUse> ClientAssertionUses => Set<ClientAssertionUse>();
    public DbSet<CredentialManagerAssignment> CredentialManagers => Set<CredentialManagerAssignment>();
    public DbSet<CredentialChange> CredentialChanges => Set<CredentialChange>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<PasskeyCeremony> PasskeyCeremonies => Set<PasskeyCeremony>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<Usage.UsageCount> UsageCounts => Set<Usage.UsageCount>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All instants are UTC. SQLite stores DateTime as text and reads it back as Unspecified; this
        // converter restores the kind so that arithmetic and formatting stay correct on both providers.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(256);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        // Identity's tables in the schema version StoreRegistration sets (the .NET 10 one, with passkeys).
        base.OnModelCreating(builder);
        builder.Entity<Organisation>(o =>
        {
            o.Property(x => x.Name).HasMaxLength(Organisation.MaxNameLength);
            o.Property(x => x.CountryCode).HasMaxLength(2);
            o.HasIndex(x => x.Name).IsUnique();
            o.Property(x => x.NormalizedName).HasMaxLength(Organisation.MaxNameLength);
            o.HasIndex(x => x.NormalizedName).IsUnique();
        });

        // Every kind of credential in one table; Kind 0 is a secret, so rows written before keys existed needed no update.
        builder.Entity<ClientCredential>(c =>
        {
            c.ToTable("ClientCredentials");
            c.HasDiscriminator(x => x.Kind).HasValue<ClientSecret>(CredentialKind.Secret).HasValue<ClientKey>(CredentialKind.Key)
                .HasValue<FederatedIdentity>(CredentialKind.FederatedIdentity);
            c.Property(x => x.Name).HasMaxLength(ClientCredential.MaxNameLength);
            c.Property(x => x.Hint).HasMaxLength(ClientCredential.MaxHintLength);
            // The reminder pass reads only the credentials whose NextReminderAt has come, page by page in this order.
            c.Property(x => x.NextReminderAt).HasDefaultValue(ClientCredential.FirstReminderCheck);
            c.HasIndex(x => new { x.NextReminderAt, x.ExpiresAt, x.Id });
            // What the previous release's reminder pass reads (the credentials whose expiry falls in its window), kept while
            // it may still run against an upgraded database; nothing else reads it, so a later release drops it.
            c.HasIndex(x => x.ExpiresAt);
            // "Has this application an active credential of a kind its policy allows" (CredentialQueries) for every application of a list or the
            // dashboard, answered from the index alone (a navigation's query filters on Kind); also the foreign key's index.
            c.HasIndex(x => new { x.ApplicationId, x.Kind, x.DisabledAt, x.ExpiresAt });
            // The dashboard's "active and expiring soon" count: one range of the index, no table rows read.
            c.HasIndex(x => new { x.Kind, x.DisabledAt, x.ExpiresAt, x.ApplicationId });
            // Each usage flush asks which credentials the used ones replaced with "expire after first use" (CredentialRotation).
            c.HasIndex(x => x.ReplacedById);
        });
        builder.Entity<Usage.UsageCount>(u =>
        {
            u.Property(x => x.FailureReason).HasMaxLength(Usage.UsageCount.MaxReasonLength);
            // One row per application, day, credential and reason: what the flush adds to; also the per-application chart's range.
            u.HasIndex(x => new { x.ApplicationId, x.Day, x.CredentialId, x.FailureReason }).IsUnique();
            // The dashboard's days across every application.
            u.HasIndex(x => x.Day);
        });
        builder.Entity<ClientSecret>(s =>
        {
            s.Property(x => x.Hash).HasMaxLength(32);
            s.Property(x => x.LeakLocation).HasMaxLength(ClientSecret.MaxLeakLocationLength);
            // A leak report names the secret by its value: found by hash, among every application's secrets.
            s.HasIndex(x => x.Hash);
            // The dashboard counts the leaked secrets not deleted yet on every load: a few rows of this index, not a scan of
            // every credential (with Kind first, as the secrets' query filters on it, SQLite's planner takes the index).
            s.HasIndex(x => new { x.Kind, x.LeakedAt });
        });
        builder.Entity<ClientKey>(k =>
        {
            k.Property(x => x.PublicJwk).HasMaxLength(ClientKey.MaxJwkLength);
            k.Property(x => x.KeyDescription).HasMaxLength(ClientKey.MaxDescriptionLength);
        });
        builder.Entity<FederatedIdentity>(f =>
        {
            f.Property(x => x.Issuer).HasMaxLength(FederatedIdentity.MaxIssuerLength);
            f.Property(x => x.Subject).HasMaxLength(FederatedIdentity.MaxSubjectLength);
            f.Property(x => x.Audience).HasMaxLength(FederatedIdentity.MaxAudienceLength);
            f.Property(x => x.Claims).HasMaxLength(FederatedIdentity.MaxClaimsLength);
        });
        builder.Entity<TrustedIssuer>(i =>
        {
            i.Property(x => x.Issuer).HasMaxLength(FederatedIdentity.MaxIssuerLength);
            i.HasIndex(x => x.Issuer).IsUnique();
        });
        builder.Entity<Application>(a =>
        {
            a.Property(x => x.ClientId).HasMaxLength(Application.MaxClientIdLength);
            a.Property(x => x.Name).HasMaxLength(Application.MaxNameLength);
            a.Property(x => x.ApiCode).HasMaxLength(Application.MaxApiCodeLength);
            a.Property(x => x.NotificationEmails).HasMaxLength(Application.MaxNotificationEmailsLength);
            a.Property(x => x.IntrospectionAudiences).HasMaxLength(Application.MaxIntrospectionAudiencesLength);
            // A default in the database too: the previous release inserts applications without the column.
            a.Property(x => x.RequireDpop).HasDefaultValue(false);
            a.Property(x => x.Version).IsConcurrencyToken();
            a.HasIndex(x => x.ClientId).IsUnique();
            a.HasIndex(x => x.Name).IsUnique();
            a.HasOne(x => x.Organisation).WithMany(o => o.Applications).OnDelete(DeleteBehavior.Restrict);
            a.HasMany(x => x.Permissions).WithOne().HasForeignKey(p => p.ApplicationId);
            a.HasMany(x => x.Secrets).WithOne(s => s.Application).HasForeignKey(s => s.ApplicationId);
            a.HasMany(x => x.Keys).WithOne(k => k.Application).HasForeignKey(k => k.ApplicationId);
            a.HasMany(x => x.FederatedIdentities).WithOne(f => f.Application).HasForeignKey(f => f.ApplicationId);
            a.HasMany(x => x.Managers).WithOne(m => m.Application).HasForeignKey(m => m.ApplicationId);
        });

        builder.Entity<ApplicationPermission>(p =>
        {
            p.Property(x => x.Api).HasMaxLength(ApplicationPermission.MaxApiLength);
            p.HasIndex(x => new { x.ApplicationId, x.Api, x.Environment }).IsUnique();
        });

        builder.Entity<ClientAssertionUse>(u =>
        {
            u.Property(x => x.Id).HasMaxLength(ClientAssertionUse.IdLength);
            u.HasIndex(x => x.ExpiresAt);
        });

        // Polled by id by every token-service instance; ApplicationId is deliberately not a foreign key so that
        // the log never blocks deleting anything and old rows can be pruned freely.
        builder.Entity<CredentialChange>(c => c.HasIndex(x => x.ChangedAt));

        builder.Entity<CredentialManagerAssignment>(m =>
        {
            m.HasKey(x => new { x.UserId, x.ApplicationId });
            m.HasIndex(x => x.ApplicationId);
            m.HasOne(x => x.User).WithMany(u => u.ManagedApplications).HasForeignKey(x => x.UserId);
        });

        ConfigureIdentity(builder);

        builder.Entity<AuditEvent>(e =>
        {
            e.Property(x => x.Details).HasMaxLength(AuditEvent.MaxDetailsLength);
            // The log's order, newest first with the id breaking ties, for its keyset paging.
            e.HasIndex(x => new { x.OccurredAt, x.Id });
            e.HasIndex(x => new { x.ApplicationId, x.OccurredAt });
            e.HasIndex(x => new { x.OrganisationId, x.OccurredAt });
            e.HasIndex(x => new { x.EventType, x.OccurredAt });
        });

        builder.Entity<OutboxMessage>(e =>
        {
            e.Property(x => x.IdentityKey).HasMaxLength(OutboxMessage.MaxIdentityKeyLength);
            e.Property(x => x.Recipients).HasMaxLength(OutboxMessage.MaxRecipientsLength);
            e.Property(x => x.Subject).HasMaxLength(OutboxMessage.MaxSubjectLength);
            e.Property(x => x.TextBody).HasMaxLength(OutboxMessage.MaxBodyLength);
            e.Property(x => x.HtmlBody).HasMaxLength(OutboxMessage.MaxBodyLength);
            e.Property(x => x.WebhookMessageId).HasMaxLength(OutboxMessage.MaxWebhookMessageIdLength);
            e.Property(x => x.WebhookEventType).HasMaxLength(OutboxMessage.MaxWebhookEventTypeLength);
            e.Property(x => x.WebhookPayload).HasMaxLength(OutboxMessage.MaxBodyLength);
            e.Property(x => x.LastError).HasMaxLength(OutboxMessage.MaxLastErrorLength);
            // An event is queued once: the reminders claim each (credential, slot) by inserting its key.
            e.HasIndex(x => x.IdentityKey).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            // The reminder pass's latest claim per credential.
            e.HasIndex(x => new { x.CredentialId, x.EmailKind });
            // An endpoint's page: its queued messages, and a logged message to send again.
            e.HasIndex(x => new { x.WebhookEndpointId, x.WebhookMessageId });
        });

        builder.Entity<SigningKey>(k =>
        {
            k.Property(x => x.Id).HasMaxLength(64);
            k.Property(x => x.Algorithm).HasMaxLength(16);
            k.Property(x => x.ProtectedPrivateKey).HasMaxLength(8000);
            k.Property(x => x.PublicJwk).HasMaxLength(4000);
        });

        builder.Entity<DataProtectionKey>(k => k.Property(x => x.Xml).HasMaxLength(8000));

        builder.Entity<PasskeyCeremony>(c =>
        {
            c.Property(x => x.Operation).HasMaxLength(16);
            c.Property(x => x.State).HasMaxLength(PasskeyCeremony.MaxStateLength);
            // Abandoned ceremonies are pruned by expiry.
            c.HasIndex(x => x.ExpiresAt);
        });
        WebhookModel.Configure(builder);
    }

    /// <summary>Our additions to Identity's .NET 10 schema (which the base class builds, passkeys included).</summary>
    private static void ConfigureIdentity(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PortalUser>(u =>
        {
            u.Property(x => x.DisplayName).HasMaxLength(PortalUser.MaxDisplayNameLength);
            u.HasOne(x => x.Organisation).WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Restrict);
            // Written only by the single-use compare-and-set (TotpAuthenticator); a full update of a user loaded
            // before that statement must not write an older time step back and re-open a used code.
            u.Property(x => x.LastTotpTimeStep).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        });

        // Ten hashed recovery codes and the protected authenticator key are longer than the default string length.
        modelBuilder.Entity<IdentityUserToken<Guid>>(t => t.Property(x => x.Value).HasMaxLength(4000));
    }

    /// <summary>Public because each provider's compiled model (in its migrations assembly) creates one.</summary>
    public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
