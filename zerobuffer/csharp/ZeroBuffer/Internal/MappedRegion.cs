using System;

namespace ZeroBuffer.Internal;

/// <summary>A shared mapping of a whole POSIX shared memory object (mmap / munmap).</summary>
internal sealed unsafe class MappedRegion : IDisposable
{
    private MappedRegion(byte* address, long length)
    {
        Address = address;
        Length = length;
    }

    public byte* Address { get; private set; }

    public long Length { get; }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> from offset 0.</summary>
    public static MappedRegion Map(int fd, long length, bool writable)
    {
        int protection = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        int flags = writable ? LibC.MAP_SHARED | LibC.MAP_POPULATE : LibC.MAP_SHARED;
        nint address = LibC.MMap(0, (nuint)length, protection, flags, fd, 0);
        if (address == LibC.MAP_FAILED)
        {
            throw new ZeroBufferException($"mmap of {length} bytes failed: {LibC.Describe(LibC.Errno)}");
        }

        return new MappedRegion((byte*)address, length);
    }

    public void Dispose()
    {
        if (Address != null)
        {
            LibC.MUnmap((nint)Address, (nuint)Length);
            Address = null;
        }
    }
}
