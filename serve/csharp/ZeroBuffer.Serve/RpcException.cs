using System;
using System.Text.Json;

namespace ZeroBuffer.Serve;

/// <summary>
/// A failed request, turned into a JSON-RPC error object. Library failures use
/// <see cref="LibraryError"/> with an error kind; protocol failures the JSON-RPC codes.
/// </summary>
internal sealed class RpcException : Exception
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int LibraryError = -32000;

    public RpcException()
        : this(LibraryError, "error")
    {
    }

    public RpcException(string message)
        : this(LibraryError, message)
    {
    }

    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = LibraryError;
    }

    public RpcException(int code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A library error: <c>data</c> = {kind, message, ...extra}.</summary>
    public RpcException(string kind, string message, Action<Utf8JsonWriter>? extraData)
        : base(message)
    {
        Code = LibraryError;
        Kind = kind;
        ExtraData = extraData;
    }

    public int Code { get; }

    /// <summary>The error kind of a library error; null for protocol errors.</summary>
    public string? Kind { get; }

    /// <summary>Writes further members of <c>data</c> (progress so far, expected/actual, ...).</summary>
    public Action<Utf8JsonWriter>? ExtraData { get; }

    public static RpcException Params(string message) => new(InvalidParams, message);

    public static RpcException State(string message) => new(ErrorKinds.InvalidState, message, null);

    /// <summary>Maps any exception of a library call onto the protocol's error kinds.</summary>
    public static RpcException FromLibrary(Exception exception, Action<Utf8JsonWriter>? extraData = null)
    {
        if (exception is RpcException rpc)
        {
            return rpc;
        }

        string kind = exception is ZeroBufferException zb ? zb.Kind : ErrorKinds.Internal;
        Action<Utf8JsonWriter>? data = extraData;
        if (exception is SequenceErrorException sequence)
        {
            data = json =>
            {
                json.WriteNumber("expected", sequence.Expected);
                json.WriteNumber("actual", sequence.Actual);
                extraData?.Invoke(json);
            };
        }

        string message = exception is ZeroBufferException ? exception.Message : $"{exception.GetType().Name}: {exception.Message}";
        return new RpcException(kind, message, data);
    }
}
