using Microsoft.Extensions.Options;

namespace Portal.Core;

/// What is wrong with one configuration section, each message naming its key (`Dispatch:RequestsPerMinute is 0; …`),
/// for the options validators that stop the start (`ValidateOnStart`).
internal sealed class SettingErrors(string section)
{
    private readonly List<string> _errors = [];

    public void Add(string? error)
    {
        if (error is not null) _errors.Add(error);
    }

    public void AtLeast(string key, int value, int least)
    {
        if (value < least) _errors.Add($"{section}:{key} is {value}; use {least} or more.");
    }

    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) _errors.Add($"{section}:{key} is {value}; use a time above zero (hh:mm:ss).");
    }

    public ValidateOptionsResult Result() => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
