using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WebhookPendingIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_WebhookEvents_Pending",
                table: "WebhookEvents",
                column: "Id",
                filter: "\"State\" = 'pending'");

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEvents_Pending_IncidentId",
                table: "WebhookEvents",
                columns: new[] { "IncidentId", "Id" },
                filter: "\"State\" = 'pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookEvents_Pending",
                table: "WebhookEvents");

            migrationBuilder.DropIndex(
                name: "IX_WebhookEvents_Pending_IncidentId",
                table: "WebhookEvents");
        }
    }
}
