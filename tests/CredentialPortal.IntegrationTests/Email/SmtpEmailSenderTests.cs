using System.Net;
using System.Net.Sockets;
using System.Text;
using CredentialPortal.Core.Email;
using CredentialPortal.Testing;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace CredentialPortal.IntegrationTests.Email;

public sealed class SmtpEmailSenderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static readonly EmailMessage Message = new(
        ["manager@example.org", "second@example.org"], "Secret expires in 7 days – Partner-NL-DemoOrg-DM",
        "Plain text body: rotate your secret.", "<p>HTML body: <b>rotate</b> your secret.</p>", "reminder/42/7d");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "credentialportal-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new(Now);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_host_each_message_becomes_a_multipart_alternative_eml_file_in_the_pickup_directory()
    {
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", PickupDirectory = _folder });

        await sender.SendAsync(Message, cancellationToken: Token);

        var mail = Assert.Single(new MailFolder(_folder).All());
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        var message = mail.Message;
        Assert.Equal(["manager@example.org", "second@example.org"], mail.To);
        Assert.Equal(Message.Subject, mail.Subject);
        var from = Assert.Single(message.From.Mailboxes);
        Assert.Equal(("Manage API Credentials", "portal@example.org"), (from.Name, from.Address));
        Assert.Equal(Now, message.Date);
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Equal("Plain text body: rotate your secret.", mail.TextBody.TrimEnd());
        // The composer's HTML, set in the one layout every email shares.
        Assert.Equal(EmailLayout.Document(Message.Subject, "<p>HTML body: <b>rotate</b> your secret.</p>").ReplaceLineEndings(), mail.HtmlBody.TrimEnd().ReplaceLineEndings());
        Assert.Matches("^[0-9a-f]{64}@example.org$", mail.MessageId);
        Assert.Contains("\r\n", mail.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pickup_files_sort_in_send_order_even_when_the_clock_stands_still()
    {
        var clock = new ManualClock(Now);
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", PickupDirectory = _folder }, clock);

        foreach (var subject in new[] { "first", "second", "third" })
        {
            await sender.SendAsync(Message with { Subject = subject, IdentityKey = subject }, cancellationToken: Token);
        }

        await sender.SendAsync(Message with { Subject = "fourth", IdentityKey = "fourth" }, cancellationToken: Token);

        Assert.Equal(["first", "second", "third", "fourth"], new MailFolder(_folder).All().Select(m => m.Subject));
    }

    [Fact]
    public async Task The_message_id_follows_from_the_identity_key_and_the_recipients()
    {
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", PickupDirectory = _folder });

        await sender.SendAsync(Message, cancellationToken: Token);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await sender.SendAsync(Message with { To = ["second@example.org", "Manager@example.org"], Subject = "retry" }, cancellationToken: Token);
        await sender.SendAsync(Message with { To = ["third@example.org"], Subject = "other recipients" }, cancellationToken: Token);
        await sender.SendAsync(Message with { IdentityKey = "reminder/42/3d", Subject = "other key" }, cancellationToken: Token);

        var ids = new MailFolder(_folder).All().ToDictionary(m => m.Subject, m => m.MessageId);
        Assert.Equal(ids[Message.Subject], ids["retry"]);
        Assert.NotEqual(ids[Message.Subject], ids["other recipients"]);
        Assert.NotEqual(ids[Message.Subject], ids["other key"]);
    }

    [Fact]
    public async Task A_real_smtp_conversation_delivers_the_same_message()
    {
        await using var server = new SmtpTestServer();
        var sender = CreateSender(Smtp(server.Port));
        var pickup = CreateSender(new EmailOptions { From = "portal@example.org", PickupDirectory = _folder });

        await sender.SendAsync(Message, cancellationToken: Token);
        await pickup.SendAsync(Message, cancellationToken: Token);

        var delivered = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(server.Messages))), Token);
        Assert.Equal(["manager@example.org", "second@example.org"], delivered.To.Mailboxes.Select(m => m.Address));
        Assert.IsType<MultipartAlternative>(delivered.Body);
        Assert.Equal("Plain text body: rotate your secret.", delivered.TextBody?.TrimEnd());
        Assert.Equal(Assert.Single(new MailFolder(_folder).All()).MessageId, delivered.MessageId);
    }

    [Fact]
    public async Task Credentials_are_used_and_refused_credentials_are_a_permanent_failure()
    {
        await using var server = new SmtpTestServer("portal", "s3cret");

        await CreateSender(Smtp(server.Port, userName: "portal", password: "s3cret")).SendAsync(Message, cancellationToken: Token);
        var refused = await Assert.ThrowsAsync<EmailDeliveryException>(
            () => CreateSender(Smtp(server.Port, userName: "portal", password: "wrong")).SendAsync(Message, cancellationToken: Token));

        Assert.Single(server.Messages);
        Assert.False(refused.IsTransient);
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task A_4xx_reply_surfaces_as_a_transient_failure_and_a_5xx_as_permanent()
    {
        await using var server = new SmtpTestServer();
        var sender = CreateSender(Smtp(server.Port));

        server.RefuseNext("451 local error, try again later");
        var transient = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message, cancellationToken: Token));
        server.RefuseNext("554 transaction failed");
        var permanent = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message, cancellationToken: Token));

        Assert.True(transient.IsTransient);
        Assert.False(permanent.IsTransient);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Required_starttls_against_a_server_without_it_is_a_permanent_failure()
    {
        await using var server = new SmtpTestServer();
        var options = Smtp(server.Port);
        options.Smtp.Security = SecureSocketOptions.StartTls;

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => CreateSender(options).SendAsync(Message, cancellationToken: Token));

        Assert.False(failure.IsTransient);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task An_unreachable_server_surfaces_as_a_transient_failure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => CreateSender(Smtp(closedPort)).SendAsync(Message, cancellationToken: Token));

        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_as_transient_when_the_send_timeout_has_passed()
    {
        await using var server = SmtpTestServer.Silent();
        var sender = CreateSender(Smtp(server.Port));

        var sending = sender.SendAsync(Message, cancellationToken: Token);
        await server.Connected.WaitAsync(TimeSpan.FromSeconds(30), Token);
        _clock.Advance(TimeSpan.FromMilliseconds(29_999));
        Assert.False(sending.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        // The bound only keeps a broken build from hanging the run; the fake clock's timeout ends the send.
        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => sending.WaitAsync(TimeSpan.FromSeconds(30), Token));
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_ends_a_send_to_a_server_that_never_answers_at_once()
    {
        await using var server = SmtpTestServer.Silent();
        var sender = CreateSender(Smtp(server.Port));
        using var caller = new CancellationTokenSource();

        var sending = sender.SendAsync(Message, cancellationToken: caller.Token);
        await server.Connected.WaitAsync(TimeSpan.FromSeconds(30), Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(TimeSpan.FromSeconds(30), Token));
    }

    /// <summary>The default 30 s timeout: on the fake clock, it passes only when a test advances it.</summary>
    private static EmailOptions Smtp(int port, string? userName = null, string? password = null) => new()
    {
        From = "portal@example.org",
        Smtp = { Host = "127.0.0.1", Port = port, Security = SecureSocketOptions.None, UserName = userName, Password = password },
    };

    private SmtpEmailSender CreateSender(EmailOptions options, TimeProvider? clock = null) =>
        new(Options.Create(options), clock ?? _clock, NullLogger<SmtpEmailSender>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
