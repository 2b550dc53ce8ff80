using System;

namespace ZeroBuffer;

/// <summary>No buffer with that name exists (or it is not initialised yet, or a semaphore is missing). Kind <c>BufferNotFound</c>.</summary>
public class BufferNotFoundException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public BufferNotFoundException()
        : base(ErrorKinds.BufferNotFound, "buffer not found")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public BufferNotFoundException(string message)
        : base(ErrorKinds.BufferNotFound, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BufferNotFoundException(string message, Exception innerException)
        : base(ErrorKinds.BufferNotFound, message, innerException)
    {
    }
}
