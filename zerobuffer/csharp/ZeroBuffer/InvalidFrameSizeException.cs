using System;

namespace ZeroBuffer;

/// <summary>A frame of size zero (or a negative size) was requested. Kind <c>InvalidFrameSize</c>.</summary>
public class InvalidFrameSizeException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public InvalidFrameSizeException()
        : base(ErrorKinds.InvalidFrameSize, "invalid frame size")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidFrameSizeException(string message)
        : base(ErrorKinds.InvalidFrameSize, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidFrameSizeException(string message, Exception innerException)
        : base(ErrorKinds.InvalidFrameSize, message, innerException)
    {
    }
}
