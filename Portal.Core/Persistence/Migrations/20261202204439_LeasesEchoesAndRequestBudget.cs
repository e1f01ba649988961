using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LeasesEchoesAndRequestBudget : Migration
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

            migrationBuilder.CreateTable(
                name: "RequestBudgetState",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    PausedUntilUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastTakeUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestBudgetState", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RequestGrants",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Caller = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    GrantedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestGrants", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "RequestBudgetState",
                columns: new[] { "Id", "LastTakeUtc", "PausedUntilUtc" },
                values: new object[] { 1, null, null });

            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_IdempotencyKey",
                table: "PlannedActions",
                column: "IdempotencyKey");

            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_IncidentId_State",
                table: "PlannedActions",
                columns: new[] { "IncidentId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_RequestGrants_GrantedUtc",
                table: "RequestGrants",
                column: "GrantedUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RequestBudgetState");

            migrationBuilder.DropTable(
                name: "RequestGrants");

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
