using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>
/// Every log event of a host, for assertions. Register it as an <see cref="ILogEventSink"/> service:
/// <c>ReadFrom.Services</c> adds the sinks the container holds to the host's own logger.
/// </summary>
internal sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    private readonly ConcurrentBag<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Seen)> _waiters = [];

    public void Emit(LogEvent logEvent)
    {
        _events.Enqueue(logEvent);
        foreach (var (match, seen) in _waiters)
        {
            if (match(logEvent))
            {
                seen.TrySetResult(logEvent);
            }
        }
    }

    /// <summary>The first event from now on that matches: for lines written after the client already has its answer.</summary>
    public Task<LogEvent> NextAsync(Func<LogEvent, bool> match)
    {
        var seen = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((match, seen));
        return seen.Task;
    }

    /// <summary>The logger category (<c>SourceContext</c>) of an event.</summary>
    public static string? Source(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var value) ? (string?)((ScalarValue)value).Value : null;
}
