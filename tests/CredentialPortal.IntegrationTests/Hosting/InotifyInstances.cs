using System.Runtime.InteropServices;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>
/// Linux inotify instances: every file watcher holds one, and a user has few (128 by default), shared by all of that
/// user's processes. <see cref="ExhaustForThisUser"/> takes all that are left, as an IDE, a browser and a few containers
/// on a developer's machine would.
/// </summary>
internal static partial class InotifyInstances
{
    private const int TooManyOpenFiles = 24; // EMFILE: the user's inotify limit (or, far above it, the process's file limit)
    private const int CloseOnExec = 0x80000; // IN_CLOEXEC: started processes do not inherit the held instances

    /// <summary>The inotify instances a process holds, read from its open file descriptors.</summary>
    public static int HeldBy(int processId) =>
        new DirectoryInfo($"/proc/{processId}/fd").EnumerateFileSystemInfos()
            .Count(fd => fd.LinkTarget == "anon_inode:inotify");

    /// <summary>Takes every inotify instance this user has left until disposed.</summary>
    public static Held ExhaustForThisUser()
    {
        var limit = int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_user_instances"), System.Globalization.CultureInfo.InvariantCulture);
        // Past a few thousand the process's own file limit would end the loop first, and the user would still have some.
        Assert.SkipWhen(limit > 4096, $"fs.inotify.max_user_instances is {limit}: too many to take them all");
        var held = new List<int>();
        while (true)
        {
            var fd = InotifyInit1(CloseOnExec);
            if (fd < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                Assert.True(error == TooManyOpenFiles, $"inotify_init1 failed with errno {error}, not the user's limit");
                return new Held(held);
            }

            held.Add(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    internal sealed class Held(List<int> descriptors) : IDisposable
    {
        public int Count => descriptors.Count;

        public void Dispose()
        {
            foreach (var fd in descriptors)
            {
                _ = Close(fd);
            }

            descriptors.Clear();
        }
    }
}
