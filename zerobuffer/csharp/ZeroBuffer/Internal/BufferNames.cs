using System;
using System.IO;

namespace ZeroBuffer.Internal;

/// <summary>The OS names and paths of a buffer's four resources (wire brief section 1).</summary>
internal static class BufferNames
{
    public const int MaxNameLength = 200;
    public const string DefaultLockDirectory = "/tmp/zerobuffer";
    public const string LockDirectoryVariable = "ZEROBUFFER_LOCK_DIR";
    public const string LockFileSuffix = ".lock";

    /// <summary>Suffix of the writer's lock file (live.writer-lock); no reader lock file ends in it.</summary>
    public const string WriterLockFileSuffix = ".writer-lock";
    private const string ShmDirectory = "/dev/shm/";

    /// <summary>True when <paramref name="name"/> is 1..200 bytes of [A-Za-z0-9._-] not starting with '.'.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name[0] == '.')
        {
            return false;
        }

        foreach (char c in name)
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="InvalidNameException"/> unless the name is valid.</summary>
    public static void Validate(string? name)
    {
        if (!IsValid(name))
        {
            string shown = name is null ? "null" : $"\"{(name.Length > 40 ? string.Concat(name.AsSpan(0, 40), "...") : name)}\" ({name.Length} chars)";
            throw new InvalidNameException(
                $"invalid buffer name {shown}: use 1..{MaxNameLength} characters of [A-Za-z0-9._-], not starting with '.'");
        }
    }

    public static string SharedMemory(string name) => "/" + name;

    /// <summary>"Data available" semaphore, posted by the writer.</summary>
    public static string WriteSemaphore(string name) => "/sem-w-" + name;

    /// <summary>"Space available" semaphore, posted by the reader.</summary>
    public static string ReadSemaphore(string name) => "/sem-r-" + name;

    /// <summary>Where glibc keeps a named semaphore: /dev/shm/sem.NAME (without the leading '/').</summary>
    public static string SemaphorePath(string semaphoreName) => string.Concat(ShmDirectory + "sem.", semaphoreName.AsSpan(1));

    public static string LockDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable(LockDirectoryVariable);
        return string.IsNullOrEmpty(configured) ? DefaultLockDirectory : configured;
    }

    public static string LockFile(string lockDirectory, string name) => Path.Combine(lockDirectory, name + LockFileSuffix);

    public static string WriterLockFile(string lockDirectory, string name) => Path.Combine(lockDirectory, name + WriterLockFileSuffix);
}
