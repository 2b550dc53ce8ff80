namespace ZeroBuffer;

/// <summary>
/// The error kinds of the ZeroBuffer serve protocol. Each exception of the library maps to
/// exactly one of them through <see cref="ZeroBufferException.Kind"/>.
/// </summary>
public static class ErrorKinds
{
    /// <summary>A read found no frame within its timeout (only used by callers; the library returns no frame).</summary>
    public const string Timeout = "Timeout";

    /// <summary>The writer process died, or closed and every frame was consumed.</summary>
    public const string WriterDead = "WriterDead";

    /// <summary>The reader process died or closed, or a buffer has no live reader.</summary>
    public const string ReaderDead = "ReaderDead";

    /// <summary>A write could not get space before its timeout while the reader was alive.</summary>
    public const string BufferFull = "BufferFull";

    /// <summary>The frame can never fit (larger than the ring, or not placeable from here).</summary>
    public const string FrameTooLarge = "FrameTooLarge";

    /// <summary>A zero-length (or negative) frame size.</summary>
    public const string InvalidFrameSize = "InvalidFrameSize";

    /// <summary>Metadata plus its 8-byte prefix exceeds the metadata block.</summary>
    public const string MetadataTooLarge = "MetadataTooLarge";

    /// <summary>A second metadata write on the same buffer.</summary>
    public const string MetadataAlreadyWritten = "MetadataAlreadyWritten";

    /// <summary>No buffer with that name, or one of its semaphores is missing.</summary>
    public const string BufferNotFound = "BufferNotFound";

    /// <summary>Another live writer holds the buffer.</summary>
    public const string WriterAlreadyConnected = "WriterAlreadyConnected";

    /// <summary>Another live reader owns the name.</summary>
    public const string ReaderAlreadyConnected = "ReaderAlreadyConnected";

    /// <summary>A frame's sequence number is not the expected one.</summary>
    public const string SequenceError = "SequenceError";

    /// <summary>A frame header, metadata length or OIEB field is impossible.</summary>
    public const string Corrupt = "Corrupt";

    /// <summary>The OIEB size is not 128 or the major version is not 1.</summary>
    public const string IncompatibleVersion = "IncompatibleVersion";

    /// <summary>The buffer name breaks the naming rule.</summary>
    public const string InvalidName = "InvalidName";

    /// <summary>The call is not valid in the current state.</summary>
    public const string InvalidState = "InvalidState";

    /// <summary>Anything else; the message says what.</summary>
    public const string Internal = "Internal";
}
