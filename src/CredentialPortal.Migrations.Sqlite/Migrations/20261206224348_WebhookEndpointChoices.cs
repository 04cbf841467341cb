using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Webhook endpoints get the event types they receive (null: all, as before), and the previous signing secret with
    /// the end of its overlap after a rotation; an index finds an endpoint's outbox messages (its queued ones, a message
    /// to send again). All nullable: a release before this one keeps working on the migrated database.
    /// </summary>
    public partial class WebhookEndpointChoices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EventTypes",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousProtectedSecret",
                table: "WebhookEndpoints",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PreviousSecretExpiresAt",
                table: "WebhookEndpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_WebhookEndpointId_WebhookMessageId",
                table: "OutboxMessages",
                columns: new[] { "WebhookEndpointId", "WebhookMessageId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_WebhookEndpointId_WebhookMessageId",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "EventTypes",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "PreviousProtectedSecret",
                table: "WebhookEndpoints");

            migrationBuilder.DropColumn(
                name: "PreviousSecretExpiresAt",
                table: "WebhookEndpoints");
        }
    }
}
