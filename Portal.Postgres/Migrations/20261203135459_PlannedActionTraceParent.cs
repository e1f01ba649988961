using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PlannedActionTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TraceParent",
                table: "PlannedActions",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TraceParent",
                table: "PlannedActions");
        }
    }
}
