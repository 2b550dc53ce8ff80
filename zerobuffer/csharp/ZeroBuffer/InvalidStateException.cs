using System;

namespace ZeroBuffer;

/// <summary>The call is not valid now (disposed object, commit without get, get twice, ...). Kind <c>InvalidState</c>.</summary>
public class InvalidStateException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public InvalidStateException()
        : base(ErrorKinds.InvalidState, "call not valid in this state")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidStateException(string message)
        : base(ErrorKinds.InvalidState, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidStateException(string message, Exception innerException)
        : base(ErrorKinds.InvalidState, message, innerException)
    {
    }
}
