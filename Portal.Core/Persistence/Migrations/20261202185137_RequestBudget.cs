using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RequestBudget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }
    }
}
