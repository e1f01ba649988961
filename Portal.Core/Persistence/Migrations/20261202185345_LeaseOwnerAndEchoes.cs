using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LeaseOwnerAndEchoes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PlannedActions_IncidentId",
                table: "PlannedActions");

            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "PlannedActions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DeliveryUncertain",
                table: "PlannedActions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "EchoEventId",
                table: "PlannedActions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "PlannedActions",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_IdempotencyKey",
                table: "PlannedActions",
                column: "IdempotencyKey");

            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_IncidentId_State",
                table: "PlannedActions",
                columns: new[] { "IncidentId", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PlannedActions_IdempotencyKey",
                table: "PlannedActions");

            migrationBuilder.DropIndex(
                name: "IX_PlannedActions_IncidentId_State",
                table: "PlannedActions");

            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "PlannedActions");

            migrationBuilder.DropColumn(
                name: "DeliveryUncertain",
                table: "PlannedActions");

            migrationBuilder.DropColumn(
                name: "EchoEventId",
                table: "PlannedActions");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "PlannedActions");

            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_IncidentId",
                table: "PlannedActions",
                column: "IncidentId");
        }
    }
}
