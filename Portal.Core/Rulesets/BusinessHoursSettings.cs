using Portal.Core.Rules;

namespace Portal.Core.Rulesets;

/// The portal's business hours (the `time.businessHours` condition field), as stored and edited.
public sealed record BusinessHoursSettings
{
    public const string Key = "businessHours";

    public string TimeZone { get; init; } = "UTC";
    public IReadOnlyList<DayOfWeek> Days { get; init; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    public string Start { get; init; } = "09:00";
    public string End { get; init; } = "17:00";
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];

    /// The calendar, or a validation error naming the setting that is wrong.
    public BusinessHours ToCalendar()
    {
        var errors = new Dictionary<string, string[]>();
        if (!TimeOnly.TryParse(Start, System.Globalization.CultureInfo.InvariantCulture, out var start))
            errors["start"] = [$"'{Start}' is not a time of day (HH:mm)."];
        if (!TimeOnly.TryParse(End, System.Globalization.CultureInfo.InvariantCulture, out var end))
            errors["end"] = [$"'{End}' is not a time of day (HH:mm)."];
        if (Days.Count == 0) errors["days"] = ["Choose at least one working day."];
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors["timeZone"] = [$"'{TimeZone}' is not a time zone this machine knows (use an IANA name such as Europe/Paris)."];
        }
        if (errors.Count > 0) throw new PortalValidationException(errors);
        return new BusinessHours(TimeZone, Days, start, end, Holidays);
    }
}
