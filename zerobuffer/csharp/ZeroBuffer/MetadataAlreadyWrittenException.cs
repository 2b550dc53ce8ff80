using System;

namespace ZeroBuffer;

/// <summary>Metadata is write-once per buffer and was already written. Kind <c>MetadataAlreadyWritten</c>.</summary>
public class MetadataAlreadyWrittenException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public MetadataAlreadyWrittenException()
        : base(ErrorKinds.MetadataAlreadyWritten, "metadata already written")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public MetadataAlreadyWrittenException(string message)
        : base(ErrorKinds.MetadataAlreadyWritten, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MetadataAlreadyWrittenException(string message, Exception innerException)
        : base(ErrorKinds.MetadataAlreadyWritten, message, innerException)
    {
    }
}
