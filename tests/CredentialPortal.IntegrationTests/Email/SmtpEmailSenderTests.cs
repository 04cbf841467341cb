using System.Net;
using System.Net.Sockets;
using CredentialPortal.Core.Email;
using CredentialPortal.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CredentialPortal.IntegrationTests.Email;

public sealed class SmtpEmailSenderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "credentialportal-tests", Guid.NewGuid().ToString("N"));

    private static readonly EmailMessage Message = new(
        ["manager@example.org", "second@example.org"], "Secret expires in 7 days – Partner-NL-DemoOrg-DM",
        "Plain text body: rotate your secret.", "<p>HTML body: <b>rotate</b> your secret.</p>");

    [Fact]
    public async Task Without_a_host_each_message_becomes_an_eml_file_in_the_pickup_directory()
    {
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", PickupDirectory = _folder });

        await sender.SendAsync(Message);
        await sender.SendAsync(Message with { To = ["third@example.org"] });

        var mails = new MailFolder(_folder).All();
        Assert.Equal(2, mails.Count);
        var first = mails.Single(m => m.To.Contains("manager@example.org"));
        Assert.Equal(["manager@example.org", "second@example.org"], first.To);
        Assert.Equal(Message.Subject, first.Subject);
        Assert.Contains("Plain text body: rotate your secret.", first.Body);
        Assert.Contains("<b>rotate</b>", first.Body);
        Assert.Contains("From: portal@example.org", first.Raw);
    }

    [Fact]
    public async Task A_real_smtp_conversation_delivers_the_message()
    {
        await using var server = new SmtpTestServer();
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", Smtp = { Host = "127.0.0.1", Port = server.Port } });

        await sender.SendAsync(Message);

        var raw = Assert.Single(server.Messages);
        Assert.Contains("To: manager@example.org, second@example.org", raw);
        Assert.Contains("multipart/alternative", raw);
    }

    [Fact]
    public async Task A_4xx_reply_surfaces_as_a_transient_failure_and_a_5xx_as_permanent()
    {
        await using var server = new SmtpTestServer();
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", Smtp = { Host = "127.0.0.1", Port = server.Port } });

        server.RefuseNext("451 local error, try again later");
        var transient = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message));
        server.RefuseNext("554 transaction failed");
        var permanent = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message));

        Assert.True(transient.IsTransient);
        Assert.False(permanent.IsTransient);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task An_unreachable_server_surfaces_as_a_transient_failure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sender = CreateSender(new EmailOptions { From = "portal@example.org", Smtp = { Host = "127.0.0.1", Port = closedPort, TimeoutMilliseconds = 5000 } });

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message));

        Assert.True(failure.IsTransient);
    }

    private static SmtpEmailSender CreateSender(EmailOptions options) =>
        new(Options.Create(options), NullLogger<SmtpEmailSender>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
