using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

/// <summary>
/// The stale-lock scan of Reader create against readers of other names in the same lock
/// directory (protocol.md section 5, rules stale.same-inode and lockdir.wait-for-scan).
/// </summary>
public class StaleScanTests
{
    private const int ReaderPidOffset = 0x58;

    [Fact]
    public void Readers_of_other_names_created_and_closed_concurrently_never_lose_their_objects()
    {
        // flock locks belong to open file descriptions, so threads of one process race exactly
        // like processes: each create scans the lock files of the others while they churn.
        string[] names = [TestEnvironment.UniqueName("a"), TestEnvironment.UniqueName("b"), TestEnvironment.UniqueName("c")];
        var until = Stopwatch.StartNew();
        var churns = Array.ConvertAll(names, name => Task.Factory.StartNew(
            () => Churn(name, until, TimeSpan.FromSeconds(3)), TaskCreationOptions.LongRunning));
        Task.WaitAll(churns);
        for (int i = 0; i < names.Length; i++)
        {
            Assert.True(churns[i].Result == 0, $"reader churn of {names[i]} failed or lost its objects {churns[i].Result} times");
            Assert.Empty(TestEnvironment.Leftovers(names[i]));
        }
    }

    [Fact]
    public void A_buffer_whose_header_is_not_complete_yet_is_kept()
    {
        // What a reader (of another lock directory) has between creating its object and storing
        // oieb_size: full size, all zero. Next to it here: a lock file nobody holds.
        string creating = TestEnvironment.UniqueName("c");
        using (var shm = new FileStream(TestEnvironment.ShmPath(creating), FileMode.CreateNew, FileAccess.ReadWrite))
        {
            shm.SetLength(Oieb.Size + 64);
        }

        File.WriteAllBytes(TestEnvironment.LockPath(creating), []);
        using (new Reader(TestEnvironment.UniqueName("o"), new BufferConfig(0, 64)))
        {
            // its create scans
        }

        Assert.True(File.Exists(TestEnvironment.ShmPath(creating)), "the scan removed a buffer still being created");
        Assert.False(File.Exists(TestEnvironment.LockPath(creating)), "the stale lock file stays");
        File.Delete(TestEnvironment.ShmPath(creating));
    }

    [Fact]
    public void Reader_create_waits_for_a_scan_that_briefly_holds_its_lock_file()
    {
        string name = TestEnvironment.UniqueName();
        string path = TestEnvironment.LockPath(name);
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x180);
        Assert.True(fd >= 0);
        Assert.Equal(0, LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB));
        // A thread of its own, running before the reader starts waiting: a thread-pool task may
        // start later than the reader's 100 ms patience on a loaded machine.
        using var running = new ManualResetEventSlim();
        var scan = new Thread(() =>
        {
            running.Set();
            Thread.Sleep(10); // the scan's own work on the stale buffer (well under 100 ms)
            LibC.Unlink(path);
            LibC.Close(fd);
        });
        scan.Start();
        running.Wait();
        using (new Reader(name, new BufferConfig(0, 64)))
        {
        }

        scan.Join();
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Fact]
    public void A_lock_held_longer_than_a_scan_is_a_live_reader()
    {
        string name = TestEnvironment.UniqueName();
        using var first = new Reader(name, new BufferConfig(0, 64));
        Assert.Throws<ReaderAlreadyConnectedException>(() => new Reader(name, new BufferConfig(0, 64)));
    }

    private static int Churn(string name, Stopwatch clock, TimeSpan duration)
    {
        int failures = 0;
        while (clock.Elapsed < duration && failures < 100)
        {
            try
            {
                using var reader = new Reader(name, new BufferConfig(0, 64));
                if (!OwnBufferIntact(name))
                {
                    failures++;
                }
            }
            catch (ZeroBufferException)
            {
                failures++;
            }
        }

        return failures;
    }

    /// <summary>A live reader's three objects and lock file exist, and the OIEB names this process.</summary>
    private static bool OwnBufferIntact(string name)
    {
        if (!File.Exists(TestEnvironment.SemWritePath(name)) || !File.Exists(TestEnvironment.SemReadPath(name))
            || !File.Exists(TestEnvironment.LockPath(name)))
        {
            return false;
        }

        try
        {
            using var shm = new FileStream(TestEnvironment.ShmPath(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> pid = stackalloc byte[8];
            shm.Position = ReaderPidOffset;
            return shm.Read(pid) == 8 && BinaryPrimitives.ReadUInt64LittleEndian(pid) == (ulong)Environment.ProcessId;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
