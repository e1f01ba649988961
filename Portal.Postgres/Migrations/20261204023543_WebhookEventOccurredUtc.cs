using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WebhookEventOccurredUtc : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "OccurredUtc",
                table: "WebhookEvents",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEvents_IncidentId_OccurredUtc",
                table: "WebhookEvents",
                columns: new[] { "IncidentId", "OccurredUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookEvents_IncidentId_OccurredUtc",
                table: "WebhookEvents");

            migrationBuilder.DropColumn(
                name: "OccurredUtc",
                table: "WebhookEvents");
        }
    }
}
