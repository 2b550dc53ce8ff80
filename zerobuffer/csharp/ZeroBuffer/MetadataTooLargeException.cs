using System;

namespace ZeroBuffer;

/// <summary>Metadata plus its 8-byte length prefix does not fit into the metadata block. Kind <c>MetadataTooLarge</c>.</summary>
public class MetadataTooLargeException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public MetadataTooLargeException()
        : base(ErrorKinds.MetadataTooLarge, "metadata too large")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public MetadataTooLargeException(string message)
        : base(ErrorKinds.MetadataTooLarge, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MetadataTooLargeException(string message, Exception innerException)
        : base(ErrorKinds.MetadataTooLarge, message, innerException)
    {
    }
}
