using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ChangeBusConfigGenerations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConfigGenerations",
                columns: table => new
                {
                    Area = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Generation = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConfigGenerations", x => x.Area);
                });

            migrationBuilder.InsertData(
                table: "ConfigGenerations",
                columns: new[] { "Area", "Generation" },
                values: new object[,]
                {
                    { "objects", 0L },
                    { "rules", 0L },
                    { "settings", 0L }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConfigGenerations");
        }
    }
}
