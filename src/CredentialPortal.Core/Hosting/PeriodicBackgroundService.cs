using Microsoft.Extensions.Hosting;

namespace CredentialPortal.Core.Hosting;

/// <summary>
/// Background work done in passes on timers of the injected <see cref="TimeProvider"/>: a pass at start-up (unless
/// <see cref="RunsAtStartup"/> is false), then one per interval. A pass still running when the interval ends delays the
/// next one; passes never overlap. A service may also start a pass early, when <see cref="WaitForWakeUpAsync"/> completes.
/// </summary>
public abstract class PeriodicBackgroundService : BackgroundService
{
    private readonly TaskCompletionSource _firstPass;
    private TaskCompletionSource _nextPass;
    private TaskCompletionSource _parked = NewSignal();
    private Task _currentPass = Task.CompletedTask;

    protected PeriodicBackgroundService(TimeSpan interval, TimeProvider time)
    {
        Interval = interval;
        Time = time;
        _firstPass = _nextPass = NewSignal();
    }

    public TimeSpan Interval { get; }

    protected TimeProvider Time { get; }

    /// <summary>Completes when the first pass (the start-up pass, if there is one) has ended; cancelled if the service stops first.</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>
    /// Completes when the next pass to start has ended; cancelled if the service stops first. This is how a test on a
    /// fake clock knows the service has processed everything done before: once <see cref="Parked"/>, take this task,
    /// advance the clock by <see cref="Interval"/>, await it. (A pass already running when the task is taken does not
    /// complete it.)
    /// </summary>
    public Task NextPass => Volatile.Read(ref _nextPass).Task;

    /// <summary>Completes when the pass running now, if any, has ended (at once when none runs).</summary>
    public Task CurrentPass => Volatile.Read(ref _currentPass);

    /// <summary>
    /// Completes once the service waits for its next pass with that pass's timer set; a new task when the next pass
    /// starts. A test on a fake clock advances it only then: a timer set after the clock moved would wait a whole
    /// interval more, and the test with it.
    /// </summary>
    public Task Parked => Volatile.Read(ref _parked).Task;

    protected virtual bool RunsAtStartup => true;

    /// <summary>
    /// Completes when a pass should start before the interval is over (e.g. new work was committed); by default never.
    /// Cancelled by <paramref name="cancellationToken"/> once the wait ends for another reason.
    /// </summary>
    protected virtual Task WaitForWakeUpAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    /// <summary>One pass. Handles its own failures: any exception but cancellation at shutdown ends the service.</summary>
    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!RunsAtStartup)
            {
                var first = Task.Delay(Interval, Time, stoppingToken);
                Volatile.Read(ref _parked).TrySetResult();
                await first;
            }

            while (true)
            {
                // Not parked from here; an unset signal stays (a pass that follows at once never parked in between).
                if (Volatile.Read(ref _parked).Task.IsCompleted)
                {
                    Volatile.Write(ref _parked, NewSignal());
                }

                var started = Time.GetTimestamp();
                await PassAsync(stoppingToken);

                // The next pass starts one interval after this one started, or at once if this one took longer. One
                // timer per wait rather than a PeriodicTimer: a clock that jumps ahead by days (a suspended machine, a
                // test) then causes one catch-up pass instead of one tick per missed interval.
                var wait = Interval - Time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var next = Task.WhenAny(Task.Delay(wait, Time, waiting.Token), WaitForWakeUpAsync(waiting.Token));
                    Volatile.Read(ref _parked).TrySetResult();
                    await next;
                    await waiting.CancelAsync();
                    stoppingToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            Volatile.Read(ref _nextPass).TrySetCanceled(CancellationToken.None);
            Volatile.Read(ref _parked).TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task PassAsync(CancellationToken stoppingToken)
    {
        // Swapped before the pass starts, so whoever took the previous signal sees a pass that began after they did.
        var ending = Interlocked.Exchange(ref _nextPass, NewSignal());
        Volatile.Write(ref _currentPass, ending.Task);
        try
        {
            await RunPassAsync(stoppingToken);
        }
        finally
        {
            ending.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
