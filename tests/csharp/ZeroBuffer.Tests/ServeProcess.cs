using System;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace ZeroBuffer.Tests;

/// <summary>A zerobuffer-serve-csharp child process driven over its stdin/stdout.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private int _nextId;

    private ServeProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ServeProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(TestEnvironment.ServePath())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ZEROBUFFER_LOCK_DIR"] = TestEnvironment.LockDirectory;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the serve");
        var serve = new ServeProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (serve._stderr)
                {
                    serve._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return serve;
    }

    /// <summary>Sends a raw line.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends raw bytes (for input that is not valid UTF-8).</summary>
    public void SendBytes(byte[] bytes)
    {
        _process.StandardInput.Flush();
        _process.StandardInput.BaseStream.Write(bytes);
        _process.StandardInput.BaseStream.Flush();
    }

    /// <summary>Sends a request without waiting for the answer.</summary>
    public void Send(string method, object? parameters = null)
    {
        var request = parameters is null
            ? (object)new { jsonrpc = "2.0", id = ++_nextId, method }
            : new { jsonrpc = "2.0", id = ++_nextId, method, @params = parameters };
        SendLine(JsonSerializer.Serialize(request));
    }

    /// <summary>Reads the next response line.</summary>
    public JsonElement Receive(int timeoutMs = 15000)
    {
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(timeoutMs))
        {
            throw new TimeoutException($"no answer from the serve within {timeoutMs} ms; stderr: {Stderr}");
        }

        string text = line.Result ?? throw new InvalidOperationException($"the serve closed its output; stderr: {Stderr}");
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Starts reading the next response line (to test that a call is still blocked).</summary>
    public Task<string?> StartReceive() => _process.StandardOutput.ReadLineAsync();

    public JsonElement Call(string method, object? parameters = null, int timeoutMs = 15000)
    {
        Send(method, parameters);
        return Receive(timeoutMs);
    }

    /// <summary>Calls a method that must succeed and returns its result.</summary>
    public JsonElement Result(string method, object? parameters = null)
    {
        JsonElement response = Call(method, parameters);
        Assert.True(response.TryGetProperty("result", out JsonElement result), $"{method} failed: {response}");
        return result;
    }

    /// <summary>Calls a method that must fail with a library error and returns its <c>data</c>.</summary>
    public JsonElement LibraryError(string method, object? parameters, string expectedKind)
    {
        JsonElement response = Call(method, parameters);
        return ExpectLibraryError(response, expectedKind);
    }

    public static JsonElement ExpectLibraryError(JsonElement response, string expectedKind)
    {
        Assert.True(response.TryGetProperty("error", out JsonElement error), $"expected {expectedKind}, got {response}");
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        JsonElement data = error.GetProperty("data");
        Assert.Equal(expectedKind, data.GetProperty("kind").GetString());
        return data;
    }

    /// <summary>SIGKILLs the serve and reaps it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
    }

    /// <summary>Closes stdin and waits for the exit code.</summary>
    public int CloseInputAndWait(int timeoutMs = 10000)
    {
        _process.StandardInput.Close();
        Assert.True(_process.WaitForExit(timeoutMs), "the serve did not exit after end of input");
        return _process.ExitCode;
    }

    public int WaitForExit(int timeoutMs = 10000)
    {
        Assert.True(_process.WaitForExit(timeoutMs), "the serve did not exit");
        return _process.ExitCode;
    }

    public string ReadAllOutput() => _process.StandardOutput.ReadToEnd();

    /// <summary>Ends the serve gracefully (end of input, so it removes what it created); kills it if it hangs.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10000))
                {
                    Kill();
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.IO.IOException)
        {
        }

        _process.Dispose();
    }
}
