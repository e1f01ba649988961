using System.Text.RegularExpressions;

namespace Portal.Tests.Infrastructure;

/// Posts a statically rendered Blazor form the way a browser does: with its antiforgery token and handler name.
public static partial class FormPost
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, string formName, IDictionary<string, string> fields)
    {
        var body = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = await AntiforgeryTokenOnAsync(client, path),
        };
        return await client.PostAsync(path, new FormUrlEncodedContent(body));
    }

    /// The antiforgery token of the first form on the page at `path`.
    public static async Task<string> AntiforgeryTokenOnAsync(HttpClient client, string path)
    {
        var token = AntiforgeryToken().Match(await client.GetStringAsync(path));
        if (!token.Success) throw new InvalidOperationException($"No antiforgery token on {path}");
        return token.Groups[1].Value;
    }

    /// The layout's Sign out button: its form posts to /account/logout with the page's token.
    public static async Task<HttpResponseMessage> SignOutAsync(HttpClient client) =>
        await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenOnAsync(client, "/"),
        }));

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        SubmitAsync(client, "/login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
