using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Records : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NumberSequences",
                columns: table => new
                {
                    ObjectName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Next = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NumberSequences", x => x.ObjectName);
                });

            migrationBuilder.CreateTable(
                name: "ObjectTypes",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RunRules = table.Column<bool>(type: "INTEGER", nullable: false),
                    IsBuiltIn = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ObjectTypes", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Records",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ObjectName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FieldsJson = table.Column<string>(type: "TEXT", nullable: false),
                    SearchText = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Settings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Settings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "ObjectFields",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ObjectName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ValuesJson = table.Column<string>(type: "TEXT", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    IsBuiltIn = table.Column<bool>(type: "INTEGER", nullable: false),
                    AutoNumber = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ObjectFields", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ObjectFields_ObjectTypes_ObjectName",
                        column: x => x.ObjectName,
                        principalTable: "ObjectTypes",
                        principalColumn: "Name",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentLinks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ObjectName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IncidentId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Urgency = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Priority = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ServiceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ServiceName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    HtmlUrl = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    LinkedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LinkedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    LastUpdatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentLinks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentLinks_Records_RecordId",
                        column: x => x.RecordId,
                        principalTable: "Records",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RecordComments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    PagerDutyNoteId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RecordComments_Records_RecordId",
                        column: x => x.RecordId,
                        principalTable: "Records",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RecordSortKeys",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Field = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ObjectName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Number = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordSortKeys", x => new { x.RecordId, x.Field });
                    table.ForeignKey(
                        name: "FK_RecordSortKeys_Records_RecordId",
                        column: x => x.RecordId,
                        principalTable: "Records",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "ObjectTypes",
                columns: new[] { "Name", "CreatedUtc", "IsBuiltIn", "Label", "RunRules" },
                values: new object[,]
                {
                    { "Case", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), true, "Case", true },
                    { "Incident", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), true, "Incident", true }
                });

            migrationBuilder.InsertData(
                table: "ObjectFields",
                columns: new[] { "Id", "AutoNumber", "IsBuiltIn", "Label", "Name", "ObjectName", "Position", "Type", "ValuesJson" },
                values: new object[,]
                {
                    { 1, true, true, "Case Number", "CaseNumber", "Case", 0, "text", null },
                    { 2, false, true, "Subject", "Subject", "Case", 1, "text", null },
                    { 3, false, true, "Description", "Description", "Case", 2, "text", null },
                    { 4, false, true, "Status", "Status", "Case", 3, "text", null },
                    { 5, false, true, "Priority", "Priority", "Case", 4, "text", null },
                    { 6, false, true, "Origin", "Origin", "Case", 5, "text", null },
                    { 7, false, true, "Type", "Type", "Case", 6, "text", null },
                    { 8, false, true, "Reason", "Reason", "Case", 7, "text", null },
                    { 9, false, true, "Contact E-mail", "ContactEmail", "Case", 8, "text", null },
                    { 101, true, true, "Incident Number", "IncidentNumber", "Incident", 0, "text", null },
                    { 102, false, true, "Subject", "Subject", "Incident", 1, "text", null },
                    { 103, false, true, "Description", "Description", "Incident", 2, "text", null },
                    { 104, false, true, "Status", "Status", "Incident", 3, "text", null },
                    { 105, false, true, "Priority", "Priority", "Incident", 4, "text", null },
                    { 106, false, true, "Impact", "Impact", "Incident", 5, "text", null },
                    { 107, false, true, "Urgency", "Urgency", "Incident", 6, "text", null },
                    { 108, false, true, "Category", "Category", "Incident", 7, "text", null }
                });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentLinks_IncidentId",
                table: "IncidentLinks",
                column: "IncidentId");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentLinks_RecordId_IncidentId",
                table: "IncidentLinks",
                columns: new[] { "RecordId", "IncidentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ObjectFields_ObjectName_Name",
                table: "ObjectFields",
                columns: new[] { "ObjectName", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RecordComments_PagerDutyNoteId",
                table: "RecordComments",
                column: "PagerDutyNoteId");

            migrationBuilder.CreateIndex(
                name: "IX_RecordComments_RecordId_CreatedUtc",
                table: "RecordComments",
                columns: new[] { "RecordId", "CreatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Records_ObjectName_CreatedUtc",
                table: "Records",
                columns: new[] { "ObjectName", "CreatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Records_ObjectName_UpdatedUtc",
                table: "Records",
                columns: new[] { "ObjectName", "UpdatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordSortKeys_ObjectName_Field_Number",
                table: "RecordSortKeys",
                columns: new[] { "ObjectName", "Field", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordSortKeys_ObjectName_Field_Text",
                table: "RecordSortKeys",
                columns: new[] { "ObjectName", "Field", "Text" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IncidentLinks");

            migrationBuilder.DropTable(
                name: "NumberSequences");

            migrationBuilder.DropTable(
                name: "ObjectFields");

            migrationBuilder.DropTable(
                name: "RecordComments");

            migrationBuilder.DropTable(
                name: "RecordSortKeys");

            migrationBuilder.DropTable(
                name: "Settings");

            migrationBuilder.DropTable(
                name: "ObjectTypes");

            migrationBuilder.DropTable(
                name: "Records");
        }
    }
}
