using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SandboxAccount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SandboxIncidents",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Urgency = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    PriorityId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ServiceId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    EscalationPolicyId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    IncidentKey = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    AssigneesJson = table.Column<string>(type: "TEXT", nullable: false),
                    Details = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SandboxIncidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SandboxNotes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IncidentId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SandboxNotes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SandboxIncidents_IncidentKey",
                table: "SandboxIncidents",
                column: "IncidentKey");

            migrationBuilder.CreateIndex(
                name: "IX_SandboxIncidents_Number",
                table: "SandboxIncidents",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SandboxNotes_IncidentId",
                table: "SandboxNotes",
                column: "IncidentId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SandboxIncidents");

            migrationBuilder.DropTable(
                name: "SandboxNotes");
        }
    }
}
