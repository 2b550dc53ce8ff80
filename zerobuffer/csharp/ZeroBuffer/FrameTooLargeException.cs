using System;

namespace ZeroBuffer;

/// <summary>The frame can never be placed: larger than the ring, or not placeable from the current write position. Kind <c>FrameTooLarge</c>.</summary>
public class FrameTooLargeException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public FrameTooLargeException()
        : base(ErrorKinds.FrameTooLarge, "frame too large")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public FrameTooLargeException(string message)
        : base(ErrorKinds.FrameTooLarge, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FrameTooLargeException(string message, Exception innerException)
        : base(ErrorKinds.FrameTooLarge, message, innerException)
    {
    }
}
