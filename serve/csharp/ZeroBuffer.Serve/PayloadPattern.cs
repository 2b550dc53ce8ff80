using System;

namespace ZeroBuffer.Serve;

/// <summary>
/// The test payload of the serve protocol: <c>byte[i] = (i + 7 * sequence + seed) mod 251</c>.
/// The pattern repeats every 251 bytes, so frames are filled by copying slices of one
/// precomputed table, not byte by byte.
/// </summary>
internal static class PayloadPattern
{
    private const int Modulus = 251;
    private const int ChunkLength = Modulus * 261; // 65 511 bytes: whole periods, so each chunk starts at the same phase

    private static readonly byte[] Table = BuildTable();

    /// <summary>Fills <paramref name="destination"/> with the pattern of frame <paramref name="sequence"/>.</summary>
    public static void Fill(Span<byte> destination, ulong sequence, long seed)
    {
        ReadOnlySpan<byte> chunk = Table.AsSpan(Phase(sequence, seed), ChunkLength);
        while (!destination.IsEmpty)
        {
            int length = Math.Min(destination.Length, ChunkLength);
            chunk[..length].CopyTo(destination);
            destination = destination[length..];
        }
    }

    /// <summary>The pattern value of byte 0: (7 * sequence + seed) mod 251, for any seed sign.</summary>
    private static int Phase(ulong sequence, long seed)
    {
        long seedPart = seed % Modulus;
        if (seedPart < 0)
        {
            seedPart += Modulus;
        }

        return (int)((7 * (long)(sequence % Modulus) + seedPart) % Modulus);
    }

    private static byte[] BuildTable()
    {
        var table = new byte[Modulus + ChunkLength];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (byte)(i % Modulus);
        }

        return table;
    }
}
