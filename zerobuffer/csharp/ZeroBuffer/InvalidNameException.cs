using System;

namespace ZeroBuffer;

/// <summary>The buffer name breaks the naming rule: 1..200 bytes of [A-Za-z0-9._-], not starting with '.'. Kind <c>InvalidName</c>.</summary>
public class InvalidNameException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public InvalidNameException()
        : base(ErrorKinds.InvalidName, "invalid buffer name")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidNameException(string message)
        : base(ErrorKinds.InvalidName, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidNameException(string message, Exception innerException)
        : base(ErrorKinds.InvalidName, message, innerException)
    {
    }
}
