using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading;

namespace ZeroBuffer.Serve;

/// <summary>
/// The role this serve process plays (none, reader or writer) and the serve methods that act
/// on it. Every method writes the members of its result object; failures are thrown as
/// <see cref="RpcException"/>.
/// </summary>
internal sealed class Session : IDisposable
{
    private static readonly string[] Capabilities = ["zeroCopyWrite", "holdFrames", "writerRestart", "createMode"];

    private readonly List<Frame> _held = [];
    private Reader? _reader;
    private Writer? _writer;
    private byte[] _scratch = [];

    public delegate void Method(RequestParams parameters, Utf8JsonWriter result);

    public Method? Find(string name) => name switch
    {
        "hello" => Hello,
        "createReader" => CreateReader,
        "connectWriter" => ConnectWriter,
        "setMetadata" => SetMetadata,
        "getMetadata" => GetMetadata,
        "writeFrames" => WriteFrames,
        "readFrames" => ReadFrames,
        "releaseFrames" => ReleaseFrames,
        "status" => Status,
        "close" => (_, _) => Close(),
        "shutdown" => (_, _) => Close(),
        _ => null,
    };

    public static string LibraryVersion =>
        typeof(Reader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Reader).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Closes whatever role is held (held frames, reader or writer).</summary>
    public void Close()
    {
        foreach (Frame frame in _held)
        {
            frame.Dispose();
        }

        _held.Clear();
        Reader? reader = _reader;
        Writer? writer = _writer;
        _reader = null;
        _writer = null;
        reader?.Dispose();
        writer?.Dispose();
    }

    public void Dispose() => Close();

    private static void Hello(RequestParams parameters, Utf8JsonWriter result)
    {
        result.WriteString("implementation", "csharp");
        result.WriteString("library", $"ZeroBuffer {LibraryVersion} (.NET {Environment.Version})");
        result.WriteString("wireVersion", WireProtocol.Version);
        result.WriteNumber("serveProtocol", 1);
        result.WriteNumber("pid", Environment.ProcessId);
        result.WriteStartArray("capabilities");
        foreach (string capability in Capabilities)
        {
            result.WriteStringValue(capability);
        }

        result.WriteEndArray();
    }

    private void CreateReader(RequestParams parameters, Utf8JsonWriter result)
    {
        string name = parameters.String("name");
        long metadataSize = parameters.Integer("metadataSize");
        long payloadSize = parameters.Integer("payloadSize");
        long? mode = parameters.OptionalInteger("mode", uint.MaxValue);
        RequireNoRole();
        try
        {
            var config = new BufferConfig(metadataSize, payloadSize)
            {
                Mode = mode is { } m ? (UnixFileMode)m : BufferConfig.DefaultMode,
            };
            _reader = new Reader(name, config);
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e);
        }

        result.WriteNumber("metadataSize", _reader.MetadataSize);
        result.WriteNumber("payloadSize", _reader.PayloadSize);
        result.WriteNumber("mode", (int)_reader.Mode);
        result.WriteNumber("pid", Environment.ProcessId);
    }

    private void ConnectWriter(RequestParams parameters, Utf8JsonWriter result)
    {
        string name = parameters.String("name");
        TimeSpan budget = parameters.Milliseconds("timeoutMs", 0);
        RequireNoRole();
        try
        {
            // The library decides which failures are worth a retry within the budget.
            _writer = new Writer(name, budget);
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e);
        }

        result.WriteNumber("pid", Environment.ProcessId);
    }

    private void SetMetadata(RequestParams parameters, Utf8JsonWriter result)
    {
        string? text = parameters.OptionalString("text");
        long? size = parameters.OptionalInteger("size");
        long seed = parameters.Seed("seed");
        if ((text is null) == (size is null))
        {
            throw RpcException.Params("give exactly one of \"text\" or \"size\"");
        }

        Writer writer = RequireWriter();
        try
        {
            if (text is not null)
            {
                byte[] encoded = Encoding.UTF8.GetBytes(text);
                writer.SetMetadata(encoded);
                result.WriteNumber("size", encoded.Length);
                return;
            }

            // Reserved first: the library refuses an impossible size before any pattern is built.
            Span<byte> target = writer.GetMetadataBuffer(size!.Value);
            PayloadPattern.Fill(target, 0, seed);
            writer.CommitMetadata();
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e);
        }

        result.WriteNumber("size", size.Value);
    }

    private void GetMetadata(RequestParams parameters, Utf8JsonWriter result)
    {
        Reader reader = RequireReader();
        ReadOnlySpan<byte> metadata;
        try
        {
            metadata = reader.GetMetadata();
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e);
        }

        result.WriteNumber("size", metadata.Length);
        result.WriteString("checksum", FrameChecksum.Of(metadata));
        if (Utf8.IsValid(metadata))
        {
            result.WriteString("text", metadata);
        }
    }

    private void WriteFrames(RequestParams parameters, Utf8JsonWriter result)
    {
        long? size = parameters.OptionalInteger("size");
        List<long>? sizes = parameters.OptionalIntegerArray("sizes");
        string? text = parameters.OptionalString("text");
        int given = (size is null ? 0 : 1) + (sizes is null ? 0 : 1) + (text is null ? 0 : 1);
        if (given != 1)
        {
            throw RpcException.Params("give exactly one of \"size\", \"sizes\" or \"text\"");
        }

        long? countParam = parameters.OptionalInteger("count");
        long seed = parameters.Seed("seed");
        bool zeroCopy = parameters.Boolean("zeroCopy", false);
        TimeSpan delay = parameters.Milliseconds("delayMs", 0);
        TimeSpan timeout = parameters.Milliseconds("timeoutMs", 5000);
        if (sizes is { Count: 0 })
        {
            throw RpcException.Params("\"sizes\" must not be empty");
        }

        Writer writer = RequireWriter();
        byte[]? textBytes = text is null ? null : Encoding.UTF8.GetBytes(text);
        long count = text is not null ? 1 : countParam ?? (sizes?.Count ?? 1);

        long written = 0;
        long bytes = 0;
        ulong first = 0;
        ulong last = 0;
        long start = Stopwatch.GetTimestamp();
        try
        {
            for (long i = 0; i < count; i++)
            {
                if (i > 0 && delay > TimeSpan.Zero)
                {
                    Thread.Sleep(delay);
                }

                ulong sequence = writer.NextSequence;
                long frameSize;
                if (textBytes is not null)
                {
                    frameSize = textBytes.Length;
                    WriteCopy(writer, textBytes, timeout, zeroCopy);
                }
                else
                {
                    frameSize = sizes is null ? size!.Value : sizes[(int)(i % sizes.Count)];
                    WritePattern(writer, frameSize, sequence, seed, timeout, zeroCopy);
                }

                written++;
                bytes += frameSize;
                first = first == 0 ? sequence : first;
                last = sequence;
            }
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e, json =>
            {
                json.WriteNumber("written", written);
                json.WriteNumber("firstSequence", first);
                json.WriteNumber("lastSequence", last);
                json.WriteNumber("bytes", bytes);
            });
        }

        result.WriteNumber("written", written);
        result.WriteNumber("firstSequence", first);
        result.WriteNumber("lastSequence", last);
        result.WriteNumber("bytes", bytes);
        result.WriteNumber("elapsedMs", Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static void WriteCopy(Writer writer, byte[] data, TimeSpan timeout, bool zeroCopy)
    {
        if (zeroCopy)
        {
            data.CopyTo(writer.GetFrameBuffer(data.Length, timeout));
            writer.CommitFrame();
        }
        else
        {
            writer.WriteFrame(data, timeout);
        }
    }

    private void WritePattern(Writer writer, long frameSize, ulong sequence, long seed, TimeSpan timeout, bool zeroCopy)
    {
        // Sizes of 0 or beyond the ring go straight to the zero-copy call, which refuses them
        // without a source buffer being allocated first.
        if (zeroCopy || frameSize <= 0 || frameSize > writer.PayloadSize)
        {
            Span<byte> buffer = writer.GetFrameBuffer(frameSize, timeout);
            PayloadPattern.Fill(buffer, sequence, seed);
            writer.CommitFrame();
            return;
        }

        int size = (int)frameSize;
        if (_scratch.Length < size)
        {
            _scratch = new byte[size];
        }

        Span<byte> data = _scratch.AsSpan(0, size);
        PayloadPattern.Fill(data, sequence, seed);
        writer.WriteFrame(data, timeout);
    }

    private void ReadFrames(RequestParams parameters, Utf8JsonWriter result)
    {
        long count = parameters.Integer("count", 1);
        TimeSpan timeout = parameters.Milliseconds("timeoutMs", 5000);
        TimeSpan delay = parameters.Milliseconds("delayMs", 0);
        bool hold = parameters.Boolean("hold", false);
        bool untilWriterGone = parameters.Boolean("untilWriterGone", false);
        Reader reader = RequireReader();

        var summary = new ReadSummary();
        long start = Stopwatch.GetTimestamp();
        bool writerGone = false;
        try
        {
            while (untilWriterGone || summary.Read < count)
            {
                Frame frame;
                try
                {
                    if (!reader.TryReadFrame(timeout, out frame))
                    {
                        throw new RpcException(ErrorKinds.Timeout, $"no frame within {timeout.TotalMilliseconds} ms", summary.WriteSummary);
                    }
                }
                catch (WriterDeadException) when (untilWriterGone)
                {
                    writerGone = true;
                    break;
                }

                try
                {
                    summary.Add(frame);
                    if (delay > TimeSpan.Zero)
                    {
                        Thread.Sleep(delay);
                    }
                }
                finally
                {
                    if (hold)
                    {
                        _held.Add(frame);
                    }
                    else
                    {
                        frame.Dispose();
                    }
                }
            }
        }
        catch (Exception e)
        {
            throw RpcException.FromLibrary(e, json => summary.WriteSummary(json));
        }

        summary.WriteSummary(result);
        result.WriteNumber("elapsedMs", Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (writerGone)
        {
            result.WriteBoolean("writerGone", true);
        }
    }

    private void ReleaseFrames(RequestParams parameters, Utf8JsonWriter result)
    {
        long? count = parameters.OptionalInteger("count");
        int released = (int)Math.Clamp(count ?? _held.Count, 0, _held.Count);
        for (int i = 0; i < released; i++)
        {
            _held[i].Dispose();
        }

        _held.RemoveRange(0, released);
        result.WriteNumber("released", released);
    }

    private void Status(RequestParams parameters, Utf8JsonWriter result)
    {
        if (_reader is not null)
        {
            result.WriteString("role", "reader");
            result.WriteString("name", _reader.Name);
            result.WriteNumber("framesRead", _reader.FramesRead);
            result.WriteNumber("bytesRead", _reader.BytesRead);
            result.WriteBoolean("peerConnected", _reader.IsWriterConnected);
        }
        else if (_writer is not null)
        {
            result.WriteString("role", "writer");
            result.WriteString("name", _writer.Name);
            result.WriteNumber("framesWritten", _writer.FramesWritten);
            result.WriteNumber("bytesWritten", _writer.BytesWritten);
            result.WriteBoolean("peerConnected", _writer.IsReaderConnected);
        }
        else
        {
            result.WriteString("role", "none");
            result.WriteNull("name");
            result.WriteBoolean("peerConnected", false);
        }

        result.WriteNumber("held", _held.Count);
    }

    private void RequireNoRole()
    {
        if (_reader is not null || _writer is not null)
        {
            throw RpcException.State($"this serve already holds the {(_reader is not null ? "reader" : "writer")} role; close it first");
        }
    }

    private Reader RequireReader() =>
        _reader ?? throw RpcException.State(_writer is null ? "no role: call createReader first" : "this serve is a writer, not a reader");

    private Writer RequireWriter() =>
        _writer ?? throw RpcException.State(_reader is null ? "no role: call connectWriter first" : "this serve is a reader, not a writer");
}
