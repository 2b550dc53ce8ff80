using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>zerobuffer-serve-csharp over its pipes: the protocol, bad input and a full data path.</summary>
public class ServeProtocolTests
{
    /// <summary>The serve protocol's checksum: the first 8 bytes of SHA-256 as lowercase hex.</summary>
    private static string Checksum(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data).AsSpan(0, 8));

    private static string PatternChecksum(int size, ulong sequence, int seed) =>
        Checksum(Enumerable.Range(0, size).Select(i => (byte)(((ulong)(i + seed) + (7 * sequence)) % 251)).ToArray());

    [Fact]
    public void Hello_describes_the_port()
    {
        using var serve = ServeProcess.Start();
        JsonElement hello = serve.Result("hello");
        Assert.Equal("csharp", hello.GetProperty("implementation").GetString());
        Assert.Equal("1.0.0", hello.GetProperty("wireVersion").GetString());
        Assert.Equal(1, hello.GetProperty("serveProtocol").GetInt32());
        Assert.Equal(serve.Pid, hello.GetProperty("pid").GetInt32());
        string[] capabilities = hello.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(new[] { "zeroCopyWrite", "holdFrames", "writerRestart", "createMode" }, capabilities);
        Assert.StartsWith("ZeroBuffer ", hello.GetProperty("library").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,", -32700)]
    [InlineData("[1,2]", -32600)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"hello\"}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fly\"}", -32601)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"createReader\",\"params\":{\"name\":\"x\"}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"createReader\",\"params\":{\"name\":7,\"metadataSize\":0,\"payloadSize\":64}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"createReader\",\"params\":[1]}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"writeFrames\",\"params\":{\"size\":1,\"text\":\"a\"}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"readFrames\",\"params\":{\"count\":1.5}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"readFrames\",\"params\":{\"count\":-1}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"createReader\",\"params\":{\"name\":\"x\",\"metadataSize\":0,\"payloadSize\":64,\"mode\":4294967296}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"writeFrames\",\"params\":{\"sizes\":[]}}", -32602)]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", -32700)]
    public void Malformed_input_gets_a_json_rpc_error_and_the_serve_keeps_running(string line, int code)
    {
        using var serve = ServeProcess.Start();
        serve.SendLine(line);
        JsonElement response = serve.Receive();
        Assert.Equal("2.0", response.GetProperty("jsonrpc").GetString());
        Assert.Equal(code, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("csharp", serve.Result("hello").GetProperty("implementation").GetString());
    }

    [Fact]
    public void Invalid_utf8_is_a_parse_error()
    {
        using var serve = ServeProcess.Start();
        serve.SendBytes([.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"x\":\""u8, 0xC3, 0x28, .. "\"}\n"u8]);
        Assert.Equal(-32700, serve.Receive().GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(0, serve.Result("releaseFrames").GetProperty("released").GetInt32());
    }

    [Fact]
    public void Integers_may_be_written_with_a_zero_fraction_and_seeds_may_be_negative()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        using var writer = ServeProcess.Start();
        reader.SendLine($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"createReader\",\"params\":{{\"name\":\"{name}\",\"metadataSize\":0,\"payloadSize\":1024.0}}}}");
        Assert.Equal(1024, reader.Receive().GetProperty("result").GetProperty("payloadSize").GetInt32());
        writer.Result("connectWriter", new { name });
        writer.Result("writeFrames", new { size = 10, seed = -1 });
        JsonElement frame = reader.Result("readFrames").GetProperty("frames")[0];
        Assert.Equal(PatternChecksum(10, 1, 250), frame.GetProperty("checksum").GetString());
    }

    [Fact]
    public void An_impossible_payload_size_is_invalid_frame_size()
    {
        using var serve = ServeProcess.Start();
        serve.LibraryError("createReader", new { name = TestEnvironment.UniqueName(), metadataSize = 0, payloadSize = 0 }, "InvalidFrameSize");
        Assert.Equal("none", serve.Result("status").GetProperty("role").GetString());
    }

    [Fact]
    public void Sigterm_closes_the_buffer_and_exits_0()
    {
        string name = TestEnvironment.UniqueName();
        using var serve = ServeProcess.Start();
        serve.Result("createReader", new { name, metadataSize = 0, payloadSize = 64 });
        Assert.Equal(0, Interop.Kill(serve.Pid, 15));
        Assert.Equal(0, serve.WaitForExit());
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("has space")]
    public void Invalid_values_of_the_right_type_reach_the_library(string name)
    {
        using var serve = ServeProcess.Start();
        JsonElement data = serve.LibraryError("createReader", new { name, metadataSize = 0, payloadSize = 64 }, "InvalidName");
        Assert.False(string.IsNullOrEmpty(data.GetProperty("message").GetString()));
    }

    [Fact]
    public void Calls_that_need_a_role_are_invalid_state_without_one()
    {
        using var serve = ServeProcess.Start();
        serve.LibraryError("readFrames", new { count = 1 }, "InvalidState");
        serve.LibraryError("writeFrames", new { size = 1 }, "InvalidState");
        serve.LibraryError("setMetadata", new { text = "x" }, "InvalidState");
        Assert.Equal(JsonValueKind.Object, serve.Result("close").ValueKind);
        JsonElement status = serve.Result("status");
        Assert.Equal("none", status.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("name").ValueKind);
    }

    [Fact]
    public void Reader_and_writer_serves_move_frames_metadata_and_held_frames()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        using var writer = ServeProcess.Start();
        JsonElement created = reader.Result("createReader", new { name, metadataSize = 1000, payloadSize = 10000, mode = 416 });
        Assert.Equal(1024, created.GetProperty("metadataSize").GetInt64());
        Assert.Equal(10048, created.GetProperty("payloadSize").GetInt64());
        Assert.Equal(416, created.GetProperty("mode").GetInt32());
        reader.LibraryError("createReader", new { name = name + "x", metadataSize = 0, payloadSize = 64 }, "InvalidState");

        writer.Result("connectWriter", new { name });
        Assert.Equal(500, writer.Result("setMetadata", new { size = 500, seed = 3 }).GetProperty("size").GetInt32());
        writer.LibraryError("setMetadata", new { text = "again" }, "MetadataAlreadyWritten");
        JsonElement metadata = reader.Result("getMetadata");
        Assert.Equal(500, metadata.GetProperty("size").GetInt32());
        Assert.Equal(PatternChecksum(500, 0, 3), metadata.GetProperty("checksum").GetString());

        JsonElement written = writer.Result("writeFrames", new { sizes = new[] { 100, 2000, 1 }, count = 4, seed = 9, zeroCopy = true });
        Assert.Equal(4, written.GetProperty("written").GetInt32());
        Assert.Equal(1, written.GetProperty("firstSequence").GetInt32());
        Assert.Equal(4, written.GetProperty("lastSequence").GetInt32());
        Assert.Equal(2201, written.GetProperty("bytes").GetInt64());
        writer.Result("writeFrames", new { text = "grüße" });

        JsonElement read = reader.Result("readFrames", new { count = 4, hold = true });
        Assert.Equal(4, read.GetProperty("read").GetInt32());
        Assert.Equal(new[] { 100, 2000, 1, 100 }, read.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("size").GetInt32()));
        Assert.All(read.GetProperty("frames").EnumerateArray(), f => Assert.Equal(
            PatternChecksum(f.GetProperty("size").GetInt32(), f.GetProperty("sequence").GetUInt64(), 9), f.GetProperty("checksum").GetString()));
        Assert.Equal(4, reader.Result("status").GetProperty("held").GetInt32());

        JsonElement text = reader.Result("readFrames");
        JsonElement frame = text.GetProperty("frames")[0];
        Assert.Equal("grüße", frame.GetProperty("text").GetString());
        Assert.Equal(Checksum(Encoding.UTF8.GetBytes("grüße")), frame.GetProperty("checksum").GetString());

        Assert.Equal(2, reader.Result("releaseFrames", new { count = 2 }).GetProperty("released").GetInt32());
        Assert.Equal(2, reader.Result("releaseFrames").GetProperty("released").GetInt32());

        writer.Result("writeFrames", new { size = 64, seed = 1 });
        Assert.Equal(PatternChecksum(64, 6, 1), reader.Result("readFrames").GetProperty("frames")[0].GetProperty("checksum").GetString());

        JsonElement status = writer.Result("status");
        Assert.Equal("writer", status.GetProperty("role").GetString());
        Assert.Equal(6, status.GetProperty("framesWritten").GetInt32());
        Assert.True(status.GetProperty("peerConnected").GetBoolean());

        writer.Result("close");
        JsonElement gone = reader.Result("readFrames", new { untilWriterGone = true, timeoutMs = 2000 });
        Assert.True(gone.GetProperty("writerGone").GetBoolean());
        Assert.Equal(0, gone.GetProperty("read").GetInt32());

        Assert.Equal(0, reader.CloseInputAndWait());
        Assert.Equal(0, writer.CloseInputAndWait());
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Fact]
    public void A_read_timeout_is_a_timeout_error_with_the_progress_so_far()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        using var writer = ServeProcess.Start();
        reader.Result("createReader", new { name, metadataSize = 0, payloadSize = 4096 });
        writer.Result("connectWriter", new { name });
        writer.Result("writeFrames", new { size = 10, count = 2 });
        var watch = Stopwatch.StartNew();
        JsonElement data = reader.LibraryError("readFrames", new { count = 3, timeoutMs = 200 }, "Timeout");
        Assert.InRange(watch.ElapsedMilliseconds, 150, 2000);
        Assert.Equal(2, data.GetProperty("read").GetInt32());
        Assert.Equal(1, data.GetProperty("firstSequence").GetInt32());
        Assert.Equal(2, data.GetProperty("lastSequence").GetInt32());
        Assert.Equal(2, data.GetProperty("frames").GetArrayLength());
    }

    [Fact]
    public void A_full_ring_gives_buffer_full_with_the_written_count()
    {
        string name = TestEnvironment.UniqueName();
        using var reader = ServeProcess.Start();
        using var writer = ServeProcess.Start();
        reader.Result("createReader", new { name, metadataSize = 0, payloadSize = 10240 });
        writer.Result("connectWriter", new { name });
        JsonElement data = writer.LibraryError("writeFrames", new { size = 1024, count = 20, timeoutMs = 200 }, "BufferFull");
        Assert.Equal(9, data.GetProperty("written").GetInt32());
        Assert.Equal(9, data.GetProperty("lastSequence").GetInt32());
    }

    [Fact]
    public void Connect_writer_waits_for_a_reader_that_comes_later()
    {
        string name = TestEnvironment.UniqueName();
        using var writer = ServeProcess.Start();
        writer.LibraryError("connectWriter", new { name }, "BufferNotFound");
        writer.Send("connectWriter", new { name, timeoutMs = 3000 });
        System.Threading.Thread.Sleep(300);
        using var reader = new Reader(name, new BufferConfig(0, 1024));
        JsonElement response = writer.Receive();
        Assert.True(response.TryGetProperty("result", out _), response.ToString());
    }

    [Fact]
    public void Shutdown_answers_then_exits_0_and_removes_the_buffer()
    {
        string name = TestEnvironment.UniqueName();
        using var serve = ServeProcess.Start();
        serve.Result("createReader", new { name, metadataSize = 0, payloadSize = 64 });
        Assert.Equal(JsonValueKind.Object, serve.Result("shutdown").ValueKind);
        Assert.Equal(0, serve.WaitForExit());
        Assert.Empty(TestEnvironment.Leftovers(name));
    }

    [Theory]
    [InlineData("--version", "zerobuffer-serve-csharp")]
    [InlineData("--help", "Usage")]
    public void Help_and_version_print_and_exit_0(string argument, string expected)
    {
        using var serve = ServeProcess.Start(argument);
        string output = serve.ReadAllOutput();
        Assert.Equal(0, serve.WaitForExit());
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }
}
