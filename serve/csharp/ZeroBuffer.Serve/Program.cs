using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace ZeroBuffer.Serve;

/// <summary>
/// zerobuffer-serve-csharp: exposes the C# ZeroBuffer library over JSON-RPC 2.0, one JSON
/// object per line on stdin/stdout (serve protocol 1). Logs go to stderr.
/// </summary>
internal static class Program
{
    private const string ProgramName = "zerobuffer-serve-csharp";

    private static int Main(string[] args)
    {
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "--help" or "-h":
                    Console.Out.Write(
                        $"""
                        Usage: {ProgramName} [--help] [--version]

                        Serves the C# ZeroBuffer library over JSON-RPC 2.0 (serve protocol 1):
                        one request per line on stdin, one response per line on stdout, logs on stderr.
                        Methods: hello, createReader, connectWriter, setMetadata, getMetadata, writeFrames,
                        readFrames, releaseFrames, status, close, shutdown.
                        Environment: ZEROBUFFER_LOCK_DIR overrides the lock directory (default /tmp/zerobuffer).
                        End of input or "shutdown" closes the held reader/writer and exits 0.

                        """);
                    return 0;
                case "--version":
                    Console.Out.WriteLine($"{ProgramName} {Session.LibraryVersion} (serve protocol 1, wire {WireProtocol.Version})");
                    return 0;
                default:
                    Console.Error.WriteLine($"{ProgramName}: unknown argument \"{arg}\" (try --help)");
                    return 2;
            }
        }

        using Stream input = Console.OpenStandardInput();
        using Stream output = Console.OpenStandardOutput();
        using var session = new Session();
        var server = new Server(session, output);
        var lines = new LineReader(input);
        var gate = new object();

        // SIGTERM, SIGINT, SIGHUP: let the current request finish, close gracefully, exit 0.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            lock (gate)
            {
                session.Close();
                Environment.Exit(0);
            }
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        try
        {
            while (lines.TryReadLine(out ReadOnlyMemory<byte> line, out bool tooLong))
            {
                lock (gate)
                {
                    if (!server.Handle(line, tooLong))
                    {
                        break; // shutdown
                    }
                }
            }
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"{ProgramName}: I/O error, exiting: {e.Message}");
        }

        lock (gate)
        {
            session.Close();
        }

        return 0;
    }
}

/// <summary>Parses one request line, runs it and writes one response line.</summary>
internal sealed class Server
{
    private readonly Session _session;
    private readonly Stream _output;
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public Server(Session session, Stream output)
    {
        _session = session;
        _output = output;
    }

    /// <summary>Handles one line; false when the serve should exit (after shutdown).</summary>
    public bool Handle(ReadOnlyMemory<byte> line, bool tooLong = false)
    {
        if (tooLong)
        {
            WriteError(default, hasId: true, new RpcException(RpcException.ParseError, $"parse error: line longer than {LineReader.MaxLineLength} bytes"));
            return true;
        }

        if (line.Span.Trim(" \t"u8).IsEmpty)
        {
            return true;
        }

        if (!Utf8.IsValid(line.Span))
        {
            WriteError(default, hasId: true, new RpcException(RpcException.ParseError, "parse error: the line is not valid UTF-8"));
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            WriteError(default, hasId: true, new RpcException(RpcException.ParseError, $"parse error: {e.Message}"));
            return true;
        }

        using (document)
        {
            JsonElement request = document.RootElement;
            JsonElement id = default;
            bool hasId = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("id", out id);
            if (hasId && id.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
            {
                WriteError(default, hasId: true, new RpcException(RpcException.InvalidRequest, "invalid request: \"id\" must be a number, string or null"));
                return true;
            }

            string? method = ValidateRequest(request, out string? problem);
            if (method is null)
            {
                WriteError(hasId ? id : default, hasId: true, new RpcException(RpcException.InvalidRequest, $"invalid request: {problem}"));
                return true;
            }

            Session.Method? handler = _session.Find(method);
            if (handler is null)
            {
                WriteError(id, hasId, new RpcException(RpcException.MethodNotFound, $"method not found: \"{method}\""));
                return true;
            }

            try
            {
                JsonElement? parameters = request.TryGetProperty("params", out JsonElement p) ? p : null;
                var requestParams = new RequestParams(parameters);
                _buffer.Clear();
                using (var json = new Utf8JsonWriter(_buffer, JsonOptions))
                {
                    json.WriteStartObject();
                    json.WriteString("jsonrpc", "2.0");
                    WriteId(json, id, hasId);
                    json.WriteStartObject("result");
                    handler(requestParams, json);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                if (hasId)
                {
                    Send();
                }
            }
            catch (Exception e)
            {
                RpcException error = RpcException.FromLibrary(e);
                Console.Error.WriteLine($"zerobuffer-serve-csharp: {method}: {error.Kind ?? error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {error.Message}");
                WriteError(id, hasId, error);
            }

            return method != "shutdown";
        }
    }

    private static string? ValidateRequest(JsonElement request, out string? problem)
    {
        problem = null;
        if (request.ValueKind != JsonValueKind.Object)
        {
            problem = "the request must be a JSON object";
            return null;
        }

        if (!request.TryGetProperty("jsonrpc", out JsonElement version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            problem = "\"jsonrpc\" must be \"2.0\"";
            return null;
        }

        if (!request.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String)
        {
            problem = "\"method\" must be a string";
            return null;
        }

        return method.GetString();
    }

    private void WriteError(JsonElement id, bool hasId, RpcException error)
    {
        if (!hasId)
        {
            return;
        }

        _buffer.Clear();
        using (var json = new Utf8JsonWriter(_buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            WriteId(json, id, hasId);
            json.WriteStartObject("error");
            json.WriteNumber("code", error.Code);
            json.WriteString("message", error.Message);
            if (error.Kind is not null)
            {
                json.WriteStartObject("data");
                json.WriteString("kind", error.Kind);
                json.WriteString("message", error.Message);
                error.ExtraData?.Invoke(json);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        Send();
    }

    private static void WriteId(Utf8JsonWriter json, JsonElement id, bool hasId)
    {
        json.WritePropertyName("id");
        if (hasId && id.ValueKind != JsonValueKind.Undefined)
        {
            id.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private void Send()
    {
        _buffer.Write("\n"u8);
        _output.Write(_buffer.WrittenSpan);
        _output.Flush();
    }
}
