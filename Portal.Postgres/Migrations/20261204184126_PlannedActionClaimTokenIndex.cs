using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PlannedActionClaimTokenIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_PlannedActions_ClaimToken",
                table: "PlannedActions",
                column: "ClaimToken",
                filter: "\"ClaimToken\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PlannedActions_ClaimToken",
                table: "PlannedActions");
        }
    }
}
