namespace Portal.Core.Rules;

public sealed class BusinessHours
{
    private readonly TimeZoneInfo _timeZone;
    private readonly HashSet<DayOfWeek> _days;
    private readonly HashSet<DateOnly> _holidays;

    public BusinessHours(
        string timeZoneId,
        IEnumerable<DayOfWeek> days,
        TimeOnly start,
        TimeOnly end,
        IEnumerable<DateOnly>? holidays = null)
    {
        _timeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        TimeZoneId = timeZoneId;
        _days = [.. days];
        Start = start;
        End = end;
        _holidays = [.. holidays ?? []];
    }

    public static BusinessHours Default { get; } = new(
        "UTC",
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
        new TimeOnly(9, 0),
        new TimeOnly(17, 0));

    public string TimeZoneId { get; }

    public IReadOnlyCollection<DayOfWeek> Days => _days;

    public TimeOnly Start { get; }

    // 00:00 as the end means midnight at the end of the day; an end before the start is an overnight shift.
    public TimeOnly End { get; }

    public IReadOnlyCollection<DateOnly> Holidays => _holidays;

    public bool IsOpen(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _timeZone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);

        if (End == TimeOnly.MinValue || End > Start)
        {
            var beforeEnd = End == TimeOnly.MinValue || time < End;
            return time >= Start && beforeEnd && IsWorkingDay(date);
        }

        if (time >= Start)
        {
            return IsWorkingDay(date);
        }

        // Early morning of an overnight shift belongs to the day the shift started.
        return time < End && IsWorkingDay(date.AddDays(-1));
    }

    private bool IsWorkingDay(DateOnly date) => _days.Contains(date.DayOfWeek) && !_holidays.Contains(date);
}
