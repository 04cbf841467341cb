using System.Text;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Audit;

/// <summary>The audit log's query and export (issue 26 item 4), on a real database without the web host.</summary>
public sealed class AuditQueryTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Each_filter_narrows_the_events_and_rows_carry_their_names(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = await MigratedAsync(provider, database);
        var (acme, globex) = (new Organisation { Name = "Acme", CountryCode = "NL" }, new Organisation { Name = "Globex", CountryCode = "DE" });
        db.Organisations.AddRange(acme, globex);
        await db.SaveChangesAsync();
        var billing = new Application { ClientId = "billing", Name = "Partner-NL-Acme-DM", OrganisationId = acme.Id, ApiCode = "DM", CreatedAt = Start };
        db.Applications.Add(billing);
        await db.SaveChangesAsync();
        db.AuditEvents.AddRange(
            Event(Start, AuditEventTypes.OrganisationCreated, "admin@operator.example", "acme", acme.Id),
            Event(Start.AddDays(1), AuditEventTypes.ApplicationCreated, "admin@operator.example", "billing", acme.Id, billing.Id),
            Event(Start.AddDays(1).AddHours(15), AuditEventTypes.SecretCreated, "manager@acme.example", "nightly", acme.Id, billing.Id),
            Event(Start.AddDays(2), AuditEventTypes.OrganisationCreated, "admin@operator.example", "globex", globex.Id),
            Event(Start.AddDays(3), AuditEventTypes.LoginFailed, "someone@elsewhere.example", "login"));
        await db.SaveChangesAsync();
        var query = new AuditQuery(db);

        async Task<IReadOnlyList<string?>> Details(AuditFilter filter) =>
            (await query.PageAsync(filter, new AuditPosition())).Events.Select(e => e.Details).ToList();

        Assert.Equal(["login", "globex", "nightly", "billing", "acme"], await Details(new AuditFilter()));
        Assert.Equal(["nightly", "billing"], await Details(new AuditFilter(From: new DateOnly(2026, 3, 2), To: new DateOnly(2026, 3, 2))));
        Assert.Equal(["login", "globex"], await Details(new AuditFilter(From: new DateOnly(2026, 3, 3))));
        Assert.Equal(["nightly"], await Details(new AuditFilter(Actor: "  acme.example ")));
        Assert.Equal(["nightly", "billing", "acme"], await Details(new AuditFilter(OrganisationId: acme.Id)));
        Assert.Equal(["nightly", "billing"], await Details(new AuditFilter(ApplicationId: billing.Id)));
        Assert.Equal(["globex", "acme"], await Details(new AuditFilter(EventType: AuditEventTypes.OrganisationCreated)));
        Assert.Equal(["billing"], await Details(new AuditFilter(Actor: "admin", ApplicationId: billing.Id)));
        Assert.Empty(await Details(new AuditFilter(EventType: AuditEventTypes.KeyAdded)));

        var nightly = (await query.PageAsync(new AuditFilter(Actor: "manager"), new AuditPosition())).Events.Single();
        Assert.Equal(("Acme", "Partner-NL-Acme-DM"), (nightly.Organisation, nightly.Application));
        var exported = await query.ExportAsync(new AuditFilter(OrganisationId: acme.Id)).ToListAsync();
        Assert.Equal(["nightly", "billing", "acme"], exported.Select(e => e.Details));
        Assert.Equal([("Acme", "Partner-NL-Acme-DM"), ("Acme", "Partner-NL-Acme-DM"), ("Acme", null)],
            exported.Select(e => (e.Organisation, e.Application)));

        var choices = await query.FilterChoicesAsync(new AuditFilter(OrganisationId: acme.Id));
        Assert.Equal(["Acme", "Globex"], choices.Organisations.Select(o => o.Name));
        Assert.Equal([(billing.Id, "Partner-NL-Acme-DM")], choices.Applications);
        Assert.Empty((await query.FilterChoicesAsync(new AuditFilter())).Applications);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Keyset_pages_walk_the_log_both_ways_without_gaps_or_repeats(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = await MigratedAsync(provider, database);
        // 230 events, pairs of them at the same instant, so that the id has to break ties; one that the filter leaves out.
        db.AuditEvents.AddRange(Enumerable.Range(0, 230).Select(i => Event(Start.AddSeconds(i / 2), AuditEventTypes.SecretCreated, "paging", $"event {i:D3}")));
        db.AuditEvents.Add(Event(Start.AddSeconds(1), AuditEventTypes.SecretCreated, "other", "left out"));
        await db.SaveChangesAsync();
        var query = new AuditQuery(db);
        var filter = new AuditFilter(Actor: "paging");

        var page1 = await query.PageAsync(filter, new AuditPosition());
        var page2 = await query.PageAsync(filter, new AuditPosition(2, Before: AuditCursor.Parse(AuditCursor.Of(page1.Events[^1]))));
        var page3 = await query.PageAsync(filter, new AuditPosition(3, Before: AuditCursor.Parse(AuditCursor.Of(page2.Events[^1]))));
        var backTo2 = await query.PageAsync(filter, new AuditPosition(2, After: AuditCursor.Parse(AuditCursor.Of(page3.Events[0]))));
        var backTo1 = await query.PageAsync(filter, new AuditPosition(1, After: AuditCursor.Parse(AuditCursor.Of(backTo2.Events[0]))));

        Assert.Equal(Enumerable.Range(0, 230).Reverse().Select(i => $"event {i:D3}"),
            page1.Events.Concat(page2.Events).Concat(page3.Events).Select(e => e.Details));
        Assert.Equal((1, true, false), (page1.Number, page1.HasOlder, page1.HasNewer));
        Assert.Equal((2, true, true), (page2.Number, page2.HasOlder, page2.HasNewer));
        Assert.Equal((3, 30, false, true), (page3.Number, page3.Events.Count, page3.HasOlder, page3.HasNewer));
        Assert.Equal(page2.Events, backTo2.Events);
        Assert.Equal((2, true, true), (backTo2.Number, backTo2.HasOlder, backTo2.HasNewer));
        Assert.Equal(page1.Events, backTo1.Events);
        Assert.Equal((1, true, false), (backTo1.Number, backTo1.HasOlder, backTo1.HasNewer));
        // A page number alone pages by offset; one past the end is empty; out-of-range numbers are clamped.
        Assert.Equal(page2.Events, (await query.PageAsync(filter, new AuditPosition(2))).Events);
        Assert.Empty((await query.PageAsync(filter, new AuditPosition(int.MaxValue))).Events);
        Assert.Equal(page1.Events, (await query.PageAsync(filter, new AuditPosition(-5))).Events);
        Assert.Null(AuditCursor.Parse("not-a-cursor"));
        Assert.Null(AuditCursor.Parse("99999999999999999999-1"));
    }

    [Fact]
    public async Task The_csv_export_reaches_the_stream_while_the_query_is_still_being_read_and_in_bounded_pieces()
    {
        const int Rows = 5_000;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = await MigratedAsync(DatabaseProvider.Sqlite, database);
        db.AuditEvents.AddRange(Enumerable.Range(0, Rows).Select(i =>
            Event(Start.AddSeconds(i), AuditEventTypes.LoginFailed, "=export", $"attempt {i:D4} from a host with a long enough name")));
        await db.SaveChangesAsync();
        var rowsRead = 0;
        var output = new RecordingStream(() => rowsRead);

        await AuditCsv.WriteAsync(Counted(new AuditQuery(db).ExportAsync(new AuditFilter()), () => rowsRead++), output);

        Assert.Equal(Rows, rowsRead);
        // Text reached the stream many times before the last row was read, never more than the writer's buffer at once.
        Assert.True(output.Writes.Count > 10, $"{output.Writes.Count} writes");
        Assert.True(output.Writes[0].RowsReadBefore < Rows / 10, $"first write after {output.Writes[0].RowsReadBefore} rows");
        Assert.All(output.Writes, w => Assert.InRange(w.Bytes, 1, Encoding.UTF8.GetMaxByteCount(AuditCsv.BufferChars)));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Rows + 1, lines.Length);
        Assert.Equal(AuditCsv.Header.TrimEnd(), lines[0]);
        Assert.Equal($"2026-03-01T09:23:19Z,\"{AuditEventTypes.LoginFailed}\",\"'=export\",,,,\"attempt 4999 from a host with a long enough name\"", lines[1]);
    }

    private static async Task<CredentialPortalDbContext> MigratedAsync(DatabaseProvider provider, TestDatabase database)
    {
        var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString);
        await db.Database.MigrateAsync();
        return db;
    }

    private static AuditEvent Event(DateTime at, string type, string actor, string details, int? organisationId = null, int? applicationId = null) =>
        new() { OccurredAt = at, EventType = type, Actor = actor, Details = details, OrganisationId = organisationId, ApplicationId = applicationId };

    private static async IAsyncEnumerable<AuditRow> Counted(IAsyncEnumerable<AuditRow> rows, Action counted)
    {
        await foreach (var row in rows)
        {
            counted();
            yield return row;
        }
    }

    /// <summary>Keeps what is written, and how many rows had been read from the query at each write; like a response
    /// body, it refuses synchronous writes and flushes.</summary>
    private sealed class RecordingStream(Func<int> rowsRead) : Stream
    {
        private readonly MemoryStream _written = new();

        public List<(int Bytes, int RowsReadBefore)> Writes { get; } = [];

        public byte[] ToArray() => _written.ToArray();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add((buffer.Length, rowsRead()));
            _written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous write.");
        public override void Flush() => throw new InvalidOperationException("Synchronous flush.");
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
