using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.DataProtection;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Reminders;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Core.Signing;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CredentialPortal.Core.Data;

/// <summary>The one store shared by the portal, the token service and the reminder service.</summary>
public sealed class CredentialPortalDbContext(DbContextOptions<CredentialPortalDbContext> options) : DbContext(options)
{
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Application> Applications => Set<Application>();
    public DbSet<ApplicationPermission> ApplicationPermissions => Set<ApplicationPermission>();
    public DbSet<ClientSecret> ClientSecrets => Set<ClientSecret>();
    public DbSet<CredentialManagerAssignment> CredentialManagers => Set<CredentialManagerAssignment>();
    public DbSet<CredentialChange> CredentialChanges => Set<CredentialChange>();
    public DbSet<PortalUser> Users => Set<PortalUser>();
    public DbSet<PortalRole> Roles => Set<PortalRole>();
    public DbSet<IdentityUserRole<Guid>> UserRoles => Set<IdentityUserRole<Guid>>();
    public DbSet<IdentityUserClaim<Guid>> UserClaims => Set<IdentityUserClaim<Guid>>();
    public DbSet<IdentityUserLogin<Guid>> UserLogins => Set<IdentityUserLogin<Guid>>();
    public DbSet<IdentityUserToken<Guid>> UserTokens => Set<IdentityUserToken<Guid>>();
    public DbSet<IdentityRoleClaim<Guid>> RoleClaims => Set<IdentityRoleClaim<Guid>>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ReminderDelivery> ReminderDeliveries => Set<ReminderDelivery>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All instants are UTC. SQLite stores DateTime as text and reads it back as Unspecified; this
        // converter restores the kind so that arithmetic and formatting stay correct on both providers.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(256);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Organisation>(o =>
        {
            o.Property(x => x.Name).HasMaxLength(Organisation.MaxNameLength);
            o.Property(x => x.CountryCode).HasMaxLength(2);
            o.HasIndex(x => x.Name).IsUnique();
        });

        modelBuilder.Entity<Application>(a =>
        {
            a.Property(x => x.ClientId).HasMaxLength(64);
            a.Property(x => x.Name).HasMaxLength(Application.MaxNameLength);
            a.Property(x => x.ApiCode).HasMaxLength(16);
            a.Property(x => x.NotificationEmails).HasMaxLength(4000);
            a.Property(x => x.Version).IsConcurrencyToken();
            a.HasIndex(x => x.ClientId).IsUnique();
            a.HasIndex(x => x.Name).IsUnique();
            a.HasOne(x => x.Organisation).WithMany(o => o.Applications).OnDelete(DeleteBehavior.Restrict);
            a.HasMany(x => x.Permissions).WithOne().HasForeignKey(p => p.ApplicationId);
            a.HasMany(x => x.Secrets).WithOne(s => s.Application).HasForeignKey(s => s.ApplicationId);
            a.HasMany(x => x.Managers).WithOne(m => m.Application).HasForeignKey(m => m.ApplicationId);
        });

        modelBuilder.Entity<ApplicationPermission>(p =>
        {
            p.Property(x => x.Api).HasMaxLength(64);
            p.HasIndex(x => new { x.ApplicationId, x.Api, x.Environment }).IsUnique();
        });

        modelBuilder.Entity<ClientSecret>(s =>
        {
            s.Property(x => x.Name).HasMaxLength(ClientSecret.MaxNameLength);
            s.Property(x => x.Hash).HasMaxLength(32);
            s.Property(x => x.Hint).HasMaxLength(SecretGenerator.HintLength);
            // The reminder pass reads only secrets whose expiry falls in its window.
            s.HasIndex(x => x.ExpiresAt);
            s.HasIndex(x => x.ApplicationId);
        });

        // Polled by id by every token-service instance; ApplicationId is deliberately not a foreign key so that
        // the log never blocks deleting anything and old rows can be pruned freely.
        modelBuilder.Entity<CredentialChange>(c => c.HasIndex(x => x.ChangedAt));

        modelBuilder.Entity<CredentialManagerAssignment>(m =>
        {
            m.HasKey(x => new { x.UserId, x.ApplicationId });
            m.HasIndex(x => x.ApplicationId);
            m.HasOne(x => x.User).WithMany(u => u.ManagedApplications).HasForeignKey(x => x.UserId);
        });

        ConfigureIdentity(modelBuilder);

        modelBuilder.Entity<AuditEvent>(e =>
        {
            e.Property(x => x.Details).HasMaxLength(2000);
            e.HasIndex(x => x.OccurredAt);
            e.HasIndex(x => new { x.ApplicationId, x.OccurredAt });
            e.HasIndex(x => new { x.OrganisationId, x.OccurredAt });
            e.HasIndex(x => new { x.EventType, x.OccurredAt });
        });

        modelBuilder.Entity<ReminderDelivery>(r =>
        {
            r.Property(x => x.Slot).HasMaxLength(ReminderDelivery.MaxSlotLength);
            r.Property(x => x.LastError).HasMaxLength(2000);
            r.HasIndex(x => new { x.SecretId, x.Slot }).IsUnique();
            r.HasIndex(x => new { x.Status, x.NextAttemptAt });
            r.HasOne<ClientSecret>().WithMany().HasForeignKey(x => x.SecretId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SigningKey>(k =>
        {
            k.Property(x => x.Id).HasMaxLength(64);
            k.Property(x => x.Algorithm).HasMaxLength(16);
            k.Property(x => x.ProtectedPrivateKey).HasMaxLength(8000);
            k.Property(x => x.PublicJwk).HasMaxLength(4000);
        });

        modelBuilder.Entity<DataProtectionKey>(k => k.Property(x => x.Xml).HasMaxLength(8000));
    }

    /// <summary>The ASP.NET Core Identity schema, as IdentityDbContext would build it, with our user and role.</summary>
    private static void ConfigureIdentity(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PortalUser>(u =>
        {
            u.ToTable("Users");
            u.Property(x => x.UserName).HasMaxLength(256);
            u.Property(x => x.NormalizedUserName).HasMaxLength(256);
            u.Property(x => x.Email).HasMaxLength(256);
            u.Property(x => x.NormalizedEmail).HasMaxLength(256);
            u.Property(x => x.PasswordHash).HasMaxLength(1000);
            u.Property(x => x.DisplayName).HasMaxLength(PortalUser.MaxDisplayNameLength);
            u.Property(x => x.ConcurrencyStamp).IsConcurrencyToken();
            u.HasIndex(x => x.NormalizedUserName).IsUnique();
            u.HasIndex(x => x.NormalizedEmail).IsUnique();
            u.HasOne(x => x.Organisation).WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Restrict);
            u.HasMany<IdentityUserClaim<Guid>>().WithOne().HasForeignKey(c => c.UserId).IsRequired();
            u.HasMany<IdentityUserLogin<Guid>>().WithOne().HasForeignKey(l => l.UserId).IsRequired();
            u.HasMany<IdentityUserToken<Guid>>().WithOne().HasForeignKey(t => t.UserId).IsRequired();
            u.HasMany<IdentityUserRole<Guid>>().WithOne().HasForeignKey(r => r.UserId).IsRequired();
        });

        modelBuilder.Entity<PortalRole>(r =>
        {
            r.ToTable("Roles");
            r.Property(x => x.Name).HasMaxLength(256);
            r.Property(x => x.NormalizedName).HasMaxLength(256);
            r.Property(x => x.ConcurrencyStamp).IsConcurrencyToken();
            r.HasIndex(x => x.NormalizedName).IsUnique();
            r.HasMany<IdentityUserRole<Guid>>().WithOne().HasForeignKey(ur => ur.RoleId).IsRequired();
            r.HasMany<IdentityRoleClaim<Guid>>().WithOne().HasForeignKey(rc => rc.RoleId).IsRequired();
        });

        modelBuilder.Entity<IdentityUserRole<Guid>>(r =>
        {
            r.ToTable("UserRoles");
            r.HasKey(x => new { x.UserId, x.RoleId });
        });
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("UserClaims");
        modelBuilder.Entity<IdentityRoleClaim<Guid>>().ToTable("RoleClaims");
        modelBuilder.Entity<IdentityUserLogin<Guid>>(l =>
        {
            l.ToTable("UserLogins");
            l.HasKey(x => new { x.LoginProvider, x.ProviderKey });
            l.Property(x => x.LoginProvider).HasMaxLength(128);
            l.Property(x => x.ProviderKey).HasMaxLength(128);
        });
        modelBuilder.Entity<IdentityUserToken<Guid>>(t =>
        {
            t.ToTable("UserTokens");
            t.HasKey(x => new { x.UserId, x.LoginProvider, x.Name });
            t.Property(x => x.LoginProvider).HasMaxLength(128);
            t.Property(x => x.Name).HasMaxLength(128);
            t.Property(x => x.Value).HasMaxLength(4000);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
