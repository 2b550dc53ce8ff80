using System;
using System.Buffers;
using System.IO;

namespace ZeroBuffer.Serve;

/// <summary>
/// Splits stdin into lines of raw bytes (so that invalid UTF-8 can be reported, not silently
/// replaced). A line longer than <see cref="MaxLineLength"/> is skipped without being kept in
/// memory and reported as too long.
/// </summary>
internal sealed class LineReader
{
    public const int MaxLineLength = 16 << 20;

    private readonly Stream _input;
    private readonly byte[] _chunk = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private int _chunkStart;
    private int _chunkEnd;
    private bool _endOfInput;

    public LineReader(Stream input) => _input = input;

    /// <summary>Reads the next line without its "\n" (and "\r"); false at end of input.</summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line, out bool tooLong)
    {
        _line.ResetWrittenCount();
        tooLong = false;
        while (true)
        {
            if (_chunkStart == _chunkEnd)
            {
                if (_endOfInput || !Fill())
                {
                    // A last line without its newline still counts.
                    if (_line.WrittenCount > 0 || tooLong)
                    {
                        line = Trim(_line.WrittenMemory);
                        return true;
                    }

                    line = default;
                    return false;
                }
            }

            ReadOnlySpan<byte> available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            int newline = available.IndexOf((byte)'\n');
            ReadOnlySpan<byte> part = newline >= 0 ? available[..newline] : available;
            if (!tooLong && _line.WrittenCount + part.Length > MaxLineLength)
            {
                tooLong = true;
                _line.ResetWrittenCount();
            }

            if (!tooLong)
            {
                _line.Write(part);
            }

            _chunkStart += newline >= 0 ? newline + 1 : part.Length;
            if (newline >= 0)
            {
                line = tooLong ? default : Trim(_line.WrittenMemory);
                return true;
            }
        }
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

    private bool Fill()
    {
        int read = _input.Read(_chunk, 0, _chunk.Length);
        _chunkStart = 0;
        _chunkEnd = read;
        _endOfInput = read == 0;
        return read > 0;
    }
}
