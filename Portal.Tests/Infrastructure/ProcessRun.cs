using System.Diagnostics;

namespace Portal.Tests.Infrastructure;

/// Runs a program to its end and hands back its exit code and everything it printed (standard output, then error).
internal static class ProcessRun
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        // both streams read at once: a full pipe on one would stall the program
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// `dotnet Portal.dll <args>` from the repository root (a command such as `backup`).
    public static Task<(int Code, string Output)> PortalCommandAsync(params string[] args) =>
        RunAsync(PortalProcess.DotnetHost(), [PortalProcess.PortalDll(), .. args], RepoPaths.Root);
}
