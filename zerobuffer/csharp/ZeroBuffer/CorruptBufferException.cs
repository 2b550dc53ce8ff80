using System;

namespace ZeroBuffer;

/// <summary>A frame header, the metadata length or an OIEB field is impossible. Kind <c>Corrupt</c>.</summary>
public class CorruptBufferException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public CorruptBufferException()
        : base(ErrorKinds.Corrupt, "buffer is corrupt")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public CorruptBufferException(string message)
        : base(ErrorKinds.Corrupt, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CorruptBufferException(string message, Exception innerException)
        : base(ErrorKinds.Corrupt, message, innerException)
    {
    }
}
