using CredentialPortal.Reminders;

namespace CredentialPortal.UnitTests.Reminders;

public sealed class ReminderScheduleTests
{
    // Expiry dates chosen in the portal start their day (UTC): usable through 2027-01-09.
    private static readonly DateTime Expiry = new(2027, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("2026-11-28T23:59:59", null)]
    [InlineData("2026-11-29T00:00:00", "42d")]
    [InlineData("2026-12-19T23:59:59", "42d")]
    [InlineData("2026-12-20T00:00:00", "21d")]
    [InlineData("2027-01-02T23:00:00", "21d")]
    [InlineData("2027-01-03T00:00:00", "7d")]
    [InlineData("2027-01-04T08:00:00", "6d")]
    [InlineData("2027-01-08T12:00:00", "2d")]
    [InlineData("2027-01-09T23:59:59", "1d")]
    [InlineData("2027-01-10T00:00:00", "expired")]
    [InlineData("2027-01-16T23:59:59", "expired")]
    [InlineData("2027-01-17T00:00:00", null)]
    public void The_due_slot_follows_utc_calendar_days(string now, string? expected)
    {
        var due = ReminderSchedule.DueSlot(Expiry, Utc(now), replaced: false);

        Assert.Equal(expected, due?.Name);
    }

    [Theory]
    [InlineData("2026-11-29T00:00:00", "42d")]
    [InlineData("2026-12-20T00:00:00", "21d")]
    [InlineData("2027-01-03T00:00:00", "7d")]
    [InlineData("2027-01-05T00:00:00", "7d")]
    [InlineData("2027-01-09T23:00:00", "7d")]
    [InlineData("2027-01-10T00:00:00", null)]
    public void A_replaced_secret_keeps_the_weekly_slots_but_gets_no_daily_ones_and_no_final_notice(string now, string? expected)
    {
        var due = ReminderSchedule.DueSlot(Expiry, Utc(now), replaced: true);

        Assert.Equal(expected, due?.Name);
    }

    [Fact]
    public void A_secret_expiring_during_the_day_gets_a_0d_reminder_that_day()
    {
        var expiry = new DateTime(2027, 1, 10, 15, 0, 0, DateTimeKind.Utc);

        Assert.Equal("1d", ReminderSchedule.DueSlot(expiry, Utc("2027-01-09T16:00:00"), replaced: false)?.Name);
        Assert.Equal("0d", ReminderSchedule.DueSlot(expiry, Utc("2027-01-10T09:00:00"), replaced: false)?.Name);
        Assert.Equal("expired", ReminderSchedule.DueSlot(expiry, Utc("2027-01-10T15:00:00"), replaced: false)?.Name);
    }

    [Fact]
    public void Slots_parse_back_and_order_from_42d_to_expired()
    {
        string[] names = ["42d", "21d", "7d", "6d", "5d", "4d", "3d", "2d", "1d", "0d", "expired"];

        var slots = names.Select(n => ReminderSlot.TryParse(n, out var slot) ? slot : throw new InvalidOperationException(n)).ToList();

        Assert.Equal(names, slots.Select(s => s.Name));
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second.IsLaterThan(pair.First)));
        Assert.Equal([true, true, true, false, false, false, false, false, false, false, false], slots.Select(s => s.IsWeekly));
        Assert.False(ReminderSlot.TryParse("43d", out _));
        Assert.False(ReminderSlot.TryParse("-1d", out _));
        Assert.False(ReminderSlot.TryParse("d", out _));
        Assert.False(ReminderSlot.TryParse(null, out _));
    }

    [Theory]
    [InlineData("2026-06-01T09:30:00", "2026-11-29T00:00:00")]
    [InlineData("2026-11-28T23:59:59", "2026-11-29T00:00:00")]
    [InlineData("2026-11-29T00:00:00", "2026-12-20T00:00:00")]
    [InlineData("2026-12-19T23:59:59", "2026-12-20T00:00:00")]
    [InlineData("2026-12-20T00:00:00", "2027-01-03T00:00:00")]
    [InlineData("2027-01-03T00:00:00", "2027-01-04T00:00:00")]
    [InlineData("2027-01-08T12:00:00", "2027-01-09T00:00:00")]
    [InlineData("2027-01-09T23:59:59", "2027-01-10T00:00:00")]
    [InlineData("2027-01-10T00:00:00", null)]
    [InlineData("2027-03-01T00:00:00", null)]
    public void The_next_slot_starts_at_the_next_reminder_day_and_none_follows_the_expiry(string now, string? expected)
    {
        Assert.Equal(expected is null ? null : Utc(expected), ReminderSchedule.NextSlotStart(Expiry, Utc(now)));
    }

    [Fact]
    public void A_secret_expiring_during_the_day_has_its_0d_slot_next_then_the_final_notice()
    {
        var expiry = new DateTime(2027, 1, 10, 15, 0, 0, DateTimeKind.Utc);

        Assert.Equal(Utc("2027-01-10T00:00:00"), ReminderSchedule.NextSlotStart(expiry, Utc("2027-01-09T16:00:00")));
        Assert.Equal(expiry, ReminderSchedule.NextSlotStart(expiry, Utc("2027-01-10T09:00:00")));
        Assert.Null(ReminderSchedule.NextSlotStart(expiry, expiry));
    }

    /// <summary>
    /// What the reminder pass relies on: between two looks at a secret, at a slot's start and at the next one, the due
    /// slot does not change, replaced or not; at the next start it does (unless replaced); after the last, no later slot comes.
    /// </summary>
    [Theory]
    [InlineData("2027-01-10T00:00:00")]
    [InlineData("2027-01-10T15:00:00")]
    public void The_due_slot_changes_only_at_a_next_slot_start(string expiresAt)
    {
        var expiry = Utc(expiresAt);
        for (var now = expiry.AddDays(-60); now < expiry.AddDays(9); now = now.AddHours(1))
        {
            var next = ReminderSchedule.NextSlotStart(expiry, now);
            Assert.True(next is null || next > now);
            foreach (var replaced in new[] { false, true })
            {
                var due = ReminderSchedule.DueSlot(expiry, now, replaced);
                for (var later = now.AddHours(1); later < (next ?? expiry.AddDays(9)); later = later.AddHours(1))
                {
                    var then = ReminderSchedule.DueSlot(expiry, later, replaced);
                    Assert.True(then == due || (next is null && then is null), $"{now:o} -> {later:o}: {due} became {then}");
                }
            }

            if (next is { } start)
            {
                Assert.NotEqual(ReminderSchedule.DueSlot(expiry, now, replaced: false), ReminderSchedule.DueSlot(expiry, start, replaced: false));
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(7, 60)]
    [InlineData(40, 60)]
    public void Retries_back_off_exponentially_up_to_the_maximum(int failedAttempts, int expectedMinutes)
    {
        var options = new CredentialPortal.Core.Outbox.OutboxOptions();

        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), options.RetryDelay(failedAttempts));
    }

    private static DateTime Utc(string value) =>
        DateTime.SpecifyKind(DateTime.Parse(value, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
}
