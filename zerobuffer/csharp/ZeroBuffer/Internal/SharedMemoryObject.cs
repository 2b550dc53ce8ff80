using System;

namespace ZeroBuffer.Internal;

/// <summary>Opening, creating and sizing POSIX shared memory objects (shm_open).</summary>
internal static class SharedMemoryObject
{
    /// <summary>Opens an existing object; -1 when it does not exist.</summary>
    /// <exception cref="ZeroBufferException">The OS refused for another reason.</exception>
    public static int TryOpen(string shmName, bool writable)
    {
        int fd = LibC.ShmOpen(shmName, (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = LibC.Errno;
            if (errno == LibC.ENOENT)
            {
                return -1;
            }

            throw new ZeroBufferException($"shm_open(\"{shmName}\") failed: {LibC.Describe(errno)}");
        }

        return fd;
    }

    /// <summary>
    /// Creates a new object of exactly <paramref name="size"/> zeroed bytes with exactly
    /// <paramref name="mode"/>, its memory reserved up front so that a full /dev/shm is a
    /// clear error now rather than a SIGBUS later. Returns the open descriptor.
    /// </summary>
    public static int Create(string shmName, long size, uint mode)
    {
        int fd = LibC.ShmOpen(shmName, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw new ZeroBufferException($"shm_open(\"{shmName}\", O_CREAT) failed: {LibC.Describe(LibC.Errno)}");
        }

        try
        {
            if (LibC.FChmod(fd, mode) != 0)
            {
                throw new ZeroBufferException($"fchmod of \"{shmName}\" failed: {LibC.Describe(LibC.Errno)}");
            }

            if (LibC.FTruncate(fd, size) != 0)
            {
                throw new ZeroBufferException($"ftruncate of \"{shmName}\" to {size} bytes failed: {LibC.Describe(LibC.Errno)}");
            }

            int error = LibC.PosixFallocate(fd, 0, size);
            if (error == LibC.ENOSPC || error == LibC.EFBIG || error == LibC.ENOMEM)
            {
                throw new ZeroBufferException(
                    $"not enough shared memory for a buffer of {size} bytes (/dev/shm is too small or full): {LibC.Describe(error)}");
            }

            if (error != 0)
            {
                throw new ZeroBufferException($"posix_fallocate of {size} bytes failed: {LibC.Describe(error)}");
            }

            return fd;
        }
        catch
        {
            LibC.Close(fd);
            LibC.ShmUnlink(shmName);
            throw;
        }
    }

    /// <summary>The current size of the object behind <paramref name="fd"/>.</summary>
    /// <summary>The permission bits of the object behind <paramref name="fd"/>.</summary>
    public static unsafe uint ModeOf(int fd)
    {
        byte* st = stackalloc byte[LibC.StatBufferSize];
        if (LibC.FStat(fd, st) != 0)
        {
            throw new ZeroBufferException($"fstat on shared memory failed: {LibC.Describe(LibC.Errno)}");
        }

        return *(uint*)(st + LibC.StatModeOffset) & 0xFFF; // 07777
    }

    public static long SizeOf(int fd)
    {
        long size = LibC.LSeek(fd, 0, LibC.SEEK_END);
        if (size < 0)
        {
            throw new ZeroBufferException($"lseek on shared memory failed: {LibC.Describe(LibC.Errno)}");
        }

        return size;
    }

    /// <summary>
    /// Reads <c>oieb_size</c> and both PIDs of an existing object; false when it does not exist.
    /// An object smaller than an OIEB reads as <c>oieb_size</c> 0 and PIDs 0 (not initialised).
    /// </summary>
    public static unsafe bool TryReadOwners(string shmName, out uint oiebSize, out ulong writerPid, out ulong readerPid)
    {
        oiebSize = 0;
        writerPid = 0;
        readerPid = 0;
        int fd = TryOpen(shmName, writable: false);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            if (SizeOf(fd) < Oieb.Size)
            {
                return true;
            }

            using MappedRegion map = MappedRegion.Map(fd, Oieb.Size, writable: false);
            var oieb = new Oieb(map.Address);
            oiebSize = oieb.OiebSize;
            writerPid = oieb.WriterPid;
            readerPid = oieb.ReaderPid;
            return true;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Unlinks the shared memory object and both semaphores of a buffer, ignoring missing ones.</summary>
    public static void UnlinkAll(string name)
    {
        LibC.ShmUnlink(BufferNames.SharedMemory(name));
        LibC.SemUnlink(BufferNames.WriteSemaphore(name));
        LibC.SemUnlink(BufferNames.ReadSemaphore(name));
    }
}
