using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class StatusDashboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "IncidentStatusUpdates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PagerDutyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Message = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentStatusUpdates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SandboxBusinessServices",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    SupportingServiceIdsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SandboxBusinessServices", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "SandboxBusinessServices",
                columns: new[] { "Id", "Description", "Name", "SupportingServiceIdsJson" },
                values: new object[,]
                {
                    { "PBSXBILL", "Invoices, refunds and card payments", "Billing and invoices", "[\"PSBXPAY\",\"PSBXMAIL\"]" },
                    { "PBSXNOTIFY", "Order confirmations and password resets by e-mail", "Customer notifications", "[\"PSBXMAIL\"]" },
                    { "PBSXPARTNER", "The public API partners build on", "Partner integrations", "[\"PSBXAPI\"]" },
                    { "PBSXSTORE", "Customers browse, pay and check out", "Online store", "[\"PNE3JZM\",\"PSBXPAY\"]" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentStatusUpdates_IncidentId_CreatedUtc",
                table: "IncidentStatusUpdates",
                columns: new[] { "IncidentId", "CreatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentStatusUpdates_PagerDutyId",
                table: "IncidentStatusUpdates",
                column: "PagerDutyId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IncidentStatusUpdates");

            migrationBuilder.DropTable(
                name: "SandboxBusinessServices");
        }
    }
}
