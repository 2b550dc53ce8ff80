using System;

namespace ZeroBuffer;

/// <summary>The OIEB size is not 128 or the major protocol version is not 1. Kind <c>IncompatibleVersion</c>.</summary>
public class IncompatibleVersionException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public IncompatibleVersionException()
        : base(ErrorKinds.IncompatibleVersion, "incompatible protocol version")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public IncompatibleVersionException(string message)
        : base(ErrorKinds.IncompatibleVersion, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IncompatibleVersionException(string message, Exception innerException)
        : base(ErrorKinds.IncompatibleVersion, message, innerException)
    {
    }
}
