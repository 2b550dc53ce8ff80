namespace ZeroBuffer.Tests;

/// <summary>The serve protocol's payload pattern, computed byte by byte (independent of the serve's table).</summary>
internal static class Pattern
{
    public static byte[] Make(int size, ulong sequence, long seed = 0)
    {
        var data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)(((ulong)i + 7 * sequence + (ulong)seed) % 251);
        }

        return data;
    }
}
