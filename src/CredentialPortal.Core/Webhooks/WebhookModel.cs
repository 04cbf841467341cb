using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>The webhook tables, applied by <c>CredentialPortalDbContext.OnModelCreating</c>.</summary>
public static class WebhookModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<WebhookEndpoint>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(WebhookEndpoint.MaxUrlLength);
            e.Property(x => x.Description).HasMaxLength(WebhookEndpoint.MaxDescriptionLength);
            e.Property(x => x.ProtectedSecret).HasMaxLength(1000);
            e.Property(x => x.PreviousProtectedSecret).HasMaxLength(1000);
            e.Property(x => x.EventTypes).HasMaxLength(WebhookEndpoint.MaxEventTypesLength);
            e.Property(x => x.CreatedBy).HasMaxLength(256);
            e.Property(x => x.DisabledReason).HasMaxLength(1000);
            // Organisations are never deleted while they have applications (Restrict as theirs); an application's
            // endpoints go with it.
            e.HasOne(x => x.Organisation).WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Application).WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<WebhookDelivery>(d =>
        {
            d.Property(x => x.MessageId).HasMaxLength(100);
            d.Property(x => x.EventType).HasMaxLength(100);
            d.Property(x => x.Error).HasMaxLength(WebhookDelivery.MaxErrorLength);
            d.HasOne(x => x.Endpoint).WithMany(e => e.Deliveries).HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
            d.HasIndex(x => new { x.EndpointId, x.AttemptedAt });
        });
    }
}
