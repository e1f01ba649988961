using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RulesetVersionComment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Comment",
                table: "RulesetVersions",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Comment",
                table: "RulesetVersions");
        }
    }
}
