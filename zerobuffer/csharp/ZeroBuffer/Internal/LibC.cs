using System;
using System.Runtime.InteropServices;

namespace ZeroBuffer.Internal;

/// <summary>
/// The only place that calls the C library: POSIX shared memory, named semaphores, flock,
/// kill and a few file calls (Linux, glibc 2.34 or newer, where librt lives in libc).
/// </summary>
/// <remarks>
/// Every import but <see cref="SemPost"/> and <see cref="SemTryWait"/> sets <c>SetLastError</c>; read errno with
/// <see cref="Errno"/> right after a failing call. <c>open</c> and <c>sem_open</c> are variadic in C. They are declared here
/// with their full fixed parameter list (mode and initial value always passed), which is
/// call-compatible with the variadic definition on the Linux x86-64 and AArch64 ABIs: the
/// extra integer arguments travel in the same registers either way.
/// </remarks>
internal static unsafe partial class LibC
{
    private const string Lib = "libc.so.6";

    // open(2) flags (Linux, x86-64 and AArch64 share these values).
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    // errno values.
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int ETIMEDOUT = 110;
    public const int EWOULDBLOCK = EAGAIN;

    // mmap(2).
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_POPULATE = 0x08000;
    public static readonly nint MAP_FAILED = -1;

    // flock(2).
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    // lseek(2).
    public const int SEEK_END = 2;

    // clock ids.
    public const int CLOCK_MONOTONIC = 1;

    /// <summary>Offset of <c>st_ino</c> in <c>struct stat</c> (x86-64 and AArch64 glibc).</summary>
    public const int StatInoOffset = 8;

    /// <summary>Offset of <c>st_mode</c> in <c>struct stat</c>: 24 on x86-64 glibc, 16 on AArch64.</summary>
    public static readonly int StatModeOffset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 16 : 24;

    /// <summary>Size reserved for <c>struct stat</c> (144 bytes on x86-64, 128 on AArch64).</summary>
    public const int StatBufferSize = 256;

    /// <summary>A POSIX <c>struct timespec</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>errno of the last failing call on this thread.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>
    /// errno itself, for the imports without SetLastError (<see cref="SemPost"/>, <see cref="SemTryWait"/>): valid right
    /// after such a call, since no GC transition ran in between that could change it.
    /// </summary>
    public static int ErrnoAfterUntransitionedCall => Marshal.GetLastSystemError();

    /// <summary>A readable text for an errno value.</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    [LibraryImport(Lib, EntryPoint = "shm_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ShmOpen(string name, int oflag, uint mode);

    [LibraryImport(Lib, EntryPoint = "shm_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ShmUnlink(string name);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>Returns 0 or an error number; does not set errno.</summary>
    [LibraryImport(Lib, EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "fstat", SetLastError = true)]
    public static partial int FStat(int fd, byte* statBuffer);

    [LibraryImport(Lib, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Stat(string path, byte* statBuffer);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(nint address, nuint length);

    /// <summary>Variadic in C; see the class remarks. Returns 0 (SEM_FAILED in glibc) on failure.</summary>
    [LibraryImport(Lib, EntryPoint = "sem_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint SemOpen(string name, int oflag, uint mode, uint value);

    [LibraryImport(Lib, EntryPoint = "sem_close", SetLastError = true)]
    public static partial int SemClose(nint semaphore);

    [LibraryImport(Lib, EntryPoint = "sem_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SemUnlink(string name);

    /// <summary>
    /// sem_post and sem_trywait never block (an atomic on the semaphore word; sem_post adds one
    /// futex wake when the peer sleeps), so they are called without a GC transition and without
    /// SetLastError: both run once or more per frame, where the two cost about a fifth of a C#
    /// frame (docs/csharp.md). On failure read errno with <see cref="ErrnoAfterUntransitionedCall"/>
    /// before anything else runs.
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "sem_post")]
    [SuppressGCTransition]
    public static partial int SemPost(nint semaphore);

    /// <summary>See <see cref="SemPost"/>.</summary>
    [LibraryImport(Lib, EntryPoint = "sem_trywait")]
    [SuppressGCTransition]
    public static partial int SemTryWait(nint semaphore);

    [LibraryImport(Lib, EntryPoint = "sem_clockwait", SetLastError = true)]
    public static partial int SemClockWait(nint semaphore, int clockId, TimeSpec* absoluteTimeout);

    [LibraryImport(Lib, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clockId, TimeSpec* time);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    /// <summary>Variadic in C; see the class remarks.</summary>
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkDir(string path, uint mode);

    /// <summary>Reads CLOCK_MONOTONIC.</summary>
    public static TimeSpec MonotonicNow()
    {
        TimeSpec now;
        ClockGetTime(CLOCK_MONOTONIC, &now);
        return now;
    }
}
