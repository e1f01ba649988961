using Portal.Core.Rules;

namespace Portal.Tests.Rules;

public sealed class BusinessHoursTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2026, 1, 5, 9, 0, true)]    // Monday at opening
    [InlineData(2026, 1, 5, 8, 59, false)]
    [InlineData(2026, 1, 9, 16, 59, true)]  // Friday before closing
    [InlineData(2026, 1, 9, 17, 0, false)]
    [InlineData(2026, 1, 10, 12, 0, false)] // Saturday
    [InlineData(2026, 1, 11, 12, 0, false)] // Sunday
    public void DefaultsToWeekdaysNineToFiveUtc(int year, int month, int day, int hour, int minute, bool open) =>
        Assert.Equal(open, BusinessHours.Default.IsOpen(Utc(year, month, day, hour, minute)));

    [Fact]
    public void ReadsTheClockInItsTimeZone()
    {
        var berlin = new BusinessHours("Europe/Berlin", Weekdays, new TimeOnly(9, 0), new TimeOnly(17, 0));

        Assert.True(berlin.IsOpen(Utc(2026, 1, 5, 8, 30)));   // 09:30 CET
        Assert.False(berlin.IsOpen(Utc(2026, 1, 5, 16, 30))); // 17:30 CET
        Assert.True(berlin.IsOpen(Utc(2026, 7, 6, 7, 30)));   // 09:30 CEST
        Assert.False(berlin.IsOpen(Utc(2026, 1, 9, 23, 30))); // Saturday 00:30 in Berlin
    }

    [Fact]
    public void IsClosedOnHolidaysOfItsOwnCalendar()
    {
        var newYork = new BusinessHours("America/New_York", Weekdays, new TimeOnly(9, 0), new TimeOnly(17, 0), [new DateOnly(2026, 12, 25)]);

        Assert.False(newYork.IsOpen(Utc(2026, 12, 25, 15)));  // Friday 10:00 on the holiday
        Assert.True(newYork.IsOpen(Utc(2026, 12, 24, 15)));
        Assert.False(newYork.IsOpen(Utc(2026, 12, 26, 1)));  // Friday 20:00 on the holiday, after hours
    }

    [Fact]
    public void SupportsOvernightShifts()
    {
        var night = new BusinessHours("UTC", [DayOfWeek.Friday], new TimeOnly(22, 0), new TimeOnly(6, 0));

        Assert.True(night.IsOpen(Utc(2026, 1, 9, 23)));   // Friday night
        Assert.True(night.IsOpen(Utc(2026, 1, 10, 5)));   // Saturday morning, still Friday's shift
        Assert.False(night.IsOpen(Utc(2026, 1, 10, 23))); // Saturday night
        Assert.False(night.IsOpen(Utc(2026, 1, 9, 5)));   // Friday morning belongs to Thursday
    }

    [Fact]
    public void TreatsMidnightEndAsTheEndOfTheDay()
    {
        var late = new BusinessHours("UTC", Weekdays, new TimeOnly(12, 0), TimeOnly.MinValue);

        Assert.True(late.IsOpen(Utc(2026, 1, 5, 23, 59)));
        Assert.False(late.IsOpen(Utc(2026, 1, 5, 11, 59)));
    }
}
