using System;
using System.Security.Cryptography;

namespace ZeroBuffer.Serve;

/// <summary>
/// The frame checksum of the serve protocol: the first 8 bytes of SHA-256, as 16 lowercase
/// hex digits. Serves report it for every frame they read; the harness computes the expected value.
/// </summary>
internal static class FrameChecksum
{
    public static string Of(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return Convert.ToHexStringLower(digest[..8]);
    }
}
