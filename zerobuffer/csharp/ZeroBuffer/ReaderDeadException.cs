using System;

namespace ZeroBuffer;

/// <summary>
/// The reader process died or closed, or a writer found no live reader. Kind <c>ReaderDead</c>.
/// </summary>
public class ReaderDeadException : ZeroBufferException
{
    /// <summary>Creates the error with a default message.</summary>
    public ReaderDeadException()
        : base(ErrorKinds.ReaderDead, "reader is dead")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    public ReaderDeadException(string message)
        : base(ErrorKinds.ReaderDead, message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ReaderDeadException(string message, Exception innerException)
        : base(ErrorKinds.ReaderDead, message, innerException)
    {
    }

    /// <summary>Creates the error, naming the reader PID found in the buffer.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="readerPid">The reader_pid field seen: 0 when no reader was registered.</param>
    public ReaderDeadException(string message, ulong readerPid)
        : base(ErrorKinds.ReaderDead, message)
    {
        ReaderPid = readerPid;
    }

    /// <summary>
    /// The reader_pid field seen when the error was raised: 0 means the buffer had no reader
    /// registered (closed, or not initialised yet), non-zero a reader process that is gone.
    /// </summary>
    public ulong ReaderPid { get; }
}
