using System;

namespace ZeroBuffer;

/// <summary>The writer process died, or closed after every frame was consumed. Kind <c>WriterDead</c>.</summary>
public class WriterDeadException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public WriterDeadException()
        : base(ErrorKinds.WriterDead, "writer is dead")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public WriterDeadException(string message)
        : base(ErrorKinds.WriterDead, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WriterDeadException(string message, Exception innerException)
        : base(ErrorKinds.WriterDead, message, innerException)
    {
    }
}
