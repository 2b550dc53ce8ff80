using System;
using System.IO;

namespace ZeroBuffer.Internal;

/// <summary>
/// Removes what crashed readers left behind (wire brief section 5): a lock file that can be
/// locked (and is still the file at its path) is stale; its buffer's shared memory and
/// semaphores go too when the OIEB is complete and neither PID in it is alive (or the shared
/// memory is already gone).
/// </summary>
internal static class StaleBufferCleaner
{
    public static void Scan(string lockDirectory)
    {
        string[] lockFiles;
        try
        {
            lockFiles = Directory.GetFiles(lockDirectory, "*" + BufferNames.LockFileSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        // A writer that died after its reader closed: nobody else removes its lock.
        try
        {
            foreach (string path in Directory.GetFiles(lockDirectory, "*" + BufferNames.WriterLockFileSuffix))
            {
                string fileName = Path.GetFileName(path);
                if (BufferNames.IsValid(fileName.Substring(0, fileName.Length - BufferNames.WriterLockFileSuffix.Length)))
                {
                    PeerLiveness.RemoveFreeLock(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort, like the rest of the scan
        }

        foreach (string path in lockFiles)
        {
            string fileName = Path.GetFileName(path);
            string name = fileName.Substring(0, fileName.Length - BufferNames.LockFileSuffix.Length);
            if (BufferNames.IsValid(name))
            {
                CleanIfStale(lockDirectory, path, name);
            }
        }
    }

    private static void CleanIfStale(string lockDirectory, string lockPath, string name)
    {
        int fd = LibC.Open(lockPath, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return;
        }

        try
        {
            if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                return; // a live reader holds it
            }

            // Its reader may have closed and a new one re-created the name since our open: the
            // lock we hold then belongs to a removed file and says nothing about the buffer now.
            if (!LockFile.IsFileAt(fd, lockPath))
            {
                return;
            }

            bool exists;
            uint oiebSize;
            ulong writerPid;
            ulong readerPid;
            try
            {
                exists = SharedMemoryObject.TryReadOwners(BufferNames.SharedMemory(name), out oiebSize, out writerPid, out readerPid);
            }
            catch (ZeroBufferException)
            {
                return; // not ours to judge (e.g. another user's object)
            }

            // An object without a complete OIEB may be a reader (of another lock directory) still
            // creating it: keep it; the next reader of the name replaces it.
            // We hold the reader's lock: it names the dead reader, or says nothing about readerPid.
            string writerLock = BufferNames.WriterLockFile(lockDirectory, name);
            bool readerAlive = !PeerLiveness.NamesPid(fd, readerPid) && ProcessLiveness.IsAlive(readerPid);
            if (!exists || (oiebSize != 0 && !PeerLiveness.IsAlive(writerLock, writerPid) && !readerAlive))
            {
                SharedMemoryObject.UnlinkAll(name);
            }

            PeerLiveness.RemoveFreeLock(writerLock);
            LibC.Unlink(lockPath);
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
