using System.Collections.Concurrent;
using System.Net;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CredentialPortal.IntegrationTests;

public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A real HTTP server on a free loopback port (Kestrel) that records every request and answers with the status
/// <see cref="Respond"/> chooses, for tests of what the product sends out or fetches (OTLP export, webhooks, GitHub's keys).
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HttpReceiver(WebApplication app) => _app = app;

    /// <summary>The status for each request (default 200); may inspect what arrived.</summary>
    public Func<ReceivedRequest, int> Respond { get; set; } = _ => StatusCodes.Status200OK;

    /// <summary>The body of each answer (default a text the product must not store); e.g. a key set the product fetches.</summary>
    public Func<ReceivedRequest, string> RespondBody { get; set; } = _ => "receiver body that must not be stored";

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public static async Task<HttpReceiver> StartAsync()
    {
        var builder = TestWebHosts.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new HttpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.First());
        return receiver;
    }

    /// <summary>Waits (up to a generous limit, never a fixed sleep) until a received request satisfies <paramref name="condition"/>.</summary>
    public async Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (_received.FirstOrDefault(condition) is { } match)
            {
                return match;
            }

            await arrived.WaitAsync(timeout.Token);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray());
        _received.Enqueue(request);
        context.Response.StatusCode = Respond(request);
        await context.Response.WriteAsync(RespondBody(request));
        Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
