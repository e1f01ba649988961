using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LogSearchAndRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_LogEntries_TimeUtc",
                table: "LogEntries");

            migrationBuilder.CreateIndex(
                name: "IX_WebhookEvents_ReceivedUtc",
                table: "WebhookEvents",
                column: "ReceivedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_LogEntries_Category_Level",
                table: "LogEntries",
                columns: new[] { "Category", "Level" });

            migrationBuilder.CreateIndex(
                name: "IX_LogEntries_TimeUtc_Level",
                table: "LogEntries",
                columns: new[] { "TimeUtc", "Level" });

            // The viewer's text filter: a trigram full-text index over the messages (substring search, any case,
            // for three characters or more), kept in step with the table by triggers. Entries are never updated.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "LogEntriesText" USING fts5("Message", content='LogEntries', content_rowid='Id', tokenize='trigram');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "LogEntries_Text_Insert" AFTER INSERT ON "LogEntries" BEGIN
                    INSERT INTO "LogEntriesText"(rowid, "Message") VALUES (new."Id", new."Message");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "LogEntries_Text_Delete" AFTER DELETE ON "LogEntries" BEGIN
                    INSERT INTO "LogEntriesText"("LogEntriesText", rowid, "Message") VALUES ('delete', old."Id", old."Message");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "LogEntriesText"("LogEntriesText") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "LogEntries_Text_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "LogEntries_Text_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "LogEntriesText";""");

            migrationBuilder.DropIndex(
                name: "IX_WebhookEvents_ReceivedUtc",
                table: "WebhookEvents");

            migrationBuilder.DropIndex(
                name: "IX_LogEntries_Category_Level",
                table: "LogEntries");

            migrationBuilder.DropIndex(
                name: "IX_LogEntries_TimeUtc_Level",
                table: "LogEntries");

            migrationBuilder.CreateIndex(
                name: "IX_LogEntries_TimeUtc",
                table: "LogEntries",
                column: "TimeUtc");
        }
    }
}
