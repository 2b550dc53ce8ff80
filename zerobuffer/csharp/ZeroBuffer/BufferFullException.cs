using System;

namespace ZeroBuffer;

/// <summary>A write could not get space before its timeout while the reader was alive. Kind <c>BufferFull</c>.</summary>
public class BufferFullException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public BufferFullException()
        : base(ErrorKinds.BufferFull, "buffer full: no space before the timeout")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public BufferFullException(string message)
        : base(ErrorKinds.BufferFull, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BufferFullException(string message, Exception innerException)
        : base(ErrorKinds.BufferFull, message, innerException)
    {
    }
}
