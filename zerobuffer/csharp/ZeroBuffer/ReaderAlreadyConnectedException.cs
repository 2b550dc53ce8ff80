using System;

namespace ZeroBuffer;

/// <summary>Another live reader owns the buffer name. Kind <c>ReaderAlreadyConnected</c>.</summary>
public class ReaderAlreadyConnectedException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public ReaderAlreadyConnectedException()
        : base(ErrorKinds.ReaderAlreadyConnected, "another reader is connected")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public ReaderAlreadyConnectedException(string message)
        : base(ErrorKinds.ReaderAlreadyConnected, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ReaderAlreadyConnectedException(string message, Exception innerException)
        : base(ErrorKinds.ReaderAlreadyConnected, message, innerException)
    {
    }
}
