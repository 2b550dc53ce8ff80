using System;

namespace ZeroBuffer;

/// <summary>Another live writer holds the buffer. Kind <c>WriterAlreadyConnected</c>.</summary>
public class WriterAlreadyConnectedException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public WriterAlreadyConnectedException()
        : base(ErrorKinds.WriterAlreadyConnected, "another writer is connected")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public WriterAlreadyConnectedException(string message)
        : base(ErrorKinds.WriterAlreadyConnected, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WriterAlreadyConnectedException(string message, Exception innerException)
        : base(ErrorKinds.WriterAlreadyConnected, message, innerException)
    {
    }
}
