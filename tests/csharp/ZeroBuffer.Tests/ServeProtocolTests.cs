using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>
/// Smoke tests of zerobuffer-serve-csharp over its pipes: what no scenario reaches (the command line,
/// invalid UTF-8, signals, shutdown). The serve-protocol contract is owned by the conformance
/// scenarios (scenarios/serve.json and the rest), which run against every port.
/// </summary>
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

    [Fact]
    public void Invalid_utf8_is_a_parse_error()
    {
        using var serve = ServeProcess.Start();
        serve.SendBytes([.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"x\":\""u8, 0xC3, 0x28, .. "\"}\n"u8]);
        Assert.Equal(-32700, serve.Receive().GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(0, serve.Result("releaseFrames").GetProperty("released").GetInt32());
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
