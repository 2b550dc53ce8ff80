using System;

namespace ZeroBuffer;

/// <summary>
/// Base class of every error the library raises. <see cref="Kind"/> names the error with one
/// of the <see cref="ErrorKinds"/> strings; this base class itself is used for
/// <see cref="ErrorKinds.Internal"/> failures (operating-system errors and the like).
/// </summary>
public class ZeroBufferException : Exception
{
    /// <summary>Creates an <see cref="ErrorKinds.Internal"/> error with a default message.</summary>
    public ZeroBufferException()
        : this(ErrorKinds.Internal, "ZeroBuffer operation failed")
    {
    }

    /// <summary>Creates an <see cref="ErrorKinds.Internal"/> error.</summary>
    /// <param name="message">What went wrong.</param>
    public ZeroBufferException(string message)
        : this(ErrorKinds.Internal, message)
    {
    }

    /// <summary>Creates an <see cref="ErrorKinds.Internal"/> error caused by another exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ZeroBufferException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = ErrorKinds.Internal;
    }

    /// <summary>Creates an error of the given kind.</summary>
    /// <param name="kind">One of the <see cref="ErrorKinds"/> strings.</param>
    /// <param name="message">What went wrong.</param>
    protected ZeroBufferException(string kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an error of the given kind caused by another exception.</summary>
    /// <param name="kind">One of the <see cref="ErrorKinds"/> strings.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    protected ZeroBufferException(string kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The error kind, one of the <see cref="ErrorKinds"/> strings.</summary>
    public string Kind { get; }
}
