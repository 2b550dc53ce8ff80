using System;

namespace ZeroBuffer;

/// <summary>A frame's sequence number is not the expected one. Kind <c>SequenceError</c>.</summary>
public class SequenceErrorException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public SequenceErrorException()
        : base(ErrorKinds.SequenceError, "sequence error")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public SequenceErrorException(string message)
        : base(ErrorKinds.SequenceError, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SequenceErrorException(string message, Exception innerException)
        : base(ErrorKinds.SequenceError, message, innerException)
    {
    }

    /// <summary>Creates the error for a frame whose sequence was <paramref name="actual"/>.</summary>
    /// <param name="expected">The sequence the reader expected.</param>
    /// <param name="actual">The sequence found in the frame header.</param>
    public SequenceErrorException(ulong expected, ulong actual)
        : base(ErrorKinds.SequenceError, $"sequence error: expected {expected}, got {actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The sequence the reader expected.</summary>
    public ulong Expected { get; }

    /// <summary>The sequence found in the frame header.</summary>
    public ulong Actual { get; }
}
