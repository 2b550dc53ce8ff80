"""The exception family of ZeroBuffer.

Every exception carries ``kind``: the serve protocol's name of its error kind. This module is
the one table of those kinds; ``ERROR_KINDS`` maps each kind to its exception class.
"""

from __future__ import annotations


class ZeroBufferException(Exception):
    """Base of every exception the library raises."""

    kind: str = "Internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TimeoutException(ZeroBufferException):
    """No frame arrived within the timeout (``read_frame`` returns ``None`` instead; the serve uses this)."""

    kind = "Timeout"


class WriterDeadException(ZeroBufferException):
    """The writer process died, or closed and every frame it wrote was consumed."""

    kind = "WriterDead"


class ReaderDeadException(ZeroBufferException):
    """The reader process died or closed; also raised when connecting to a buffer without a live reader."""

    kind = "ReaderDead"


class BufferFullException(ZeroBufferException):
    """A write could not get space before its timeout while the reader was alive."""

    kind = "BufferFull"


class FrameTooLargeException(ZeroBufferException):
    """The frame can never fit: larger than the ring, or not placeable from the write position."""

    kind = "FrameTooLarge"


class InvalidFrameSizeException(ZeroBufferException):
    """A zero-length frame, or a buffer size that is zero, negative or too large to represent."""

    kind = "InvalidFrameSize"


class MetadataTooLargeException(ZeroBufferException):
    """Metadata plus its 8-byte length prefix exceeds the metadata block."""

    kind = "MetadataTooLarge"


class MetadataAlreadyWrittenException(ZeroBufferException):
    """Metadata is write-once per buffer and was already written."""

    kind = "MetadataAlreadyWritten"


class BufferNotFoundException(ZeroBufferException):
    """No buffer of that name (or one of its semaphores is missing, or it is not initialised yet)."""

    kind = "BufferNotFound"


class WriterAlreadyConnectedException(ZeroBufferException):
    """Another live writer holds the buffer."""

    kind = "WriterAlreadyConnected"


class ReaderAlreadyConnectedException(ZeroBufferException):
    """Another live reader owns the name."""

    kind = "ReaderAlreadyConnected"


class SequenceError(ZeroBufferException):
    """A frame's sequence number is not the expected one."""

    kind = "SequenceError"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"sequence error: expected frame {expected}, got {actual}")
        self.expected = expected
        self.actual = actual


class CorruptBufferException(ZeroBufferException):
    """A header field is impossible (points outside its block, sizes that do not match the object)."""

    kind = "Corrupt"


class IncompatibleVersionException(ZeroBufferException):
    """The OIEB size is not 128 or the protocol major version is not 1."""

    kind = "IncompatibleVersion"


class InvalidNameException(ZeroBufferException):
    """The buffer name breaks the naming rule (1..200 of [A-Za-z0-9._-], not starting with '.')."""

    kind = "InvalidName"


class InvalidStateException(ZeroBufferException):
    """The call is not valid in the object's current state (closed, commit without get, ...)."""

    kind = "InvalidState"


class InternalException(ZeroBufferException):
    """An operating-system call failed unexpectedly; the message says which."""

    kind = "Internal"


ERROR_KINDS: dict[str, type[ZeroBufferException]] = {
    cls.kind: cls
    for cls in (
        TimeoutException,
        WriterDeadException,
        ReaderDeadException,
        BufferFullException,
        FrameTooLargeException,
        InvalidFrameSizeException,
        MetadataTooLargeException,
        MetadataAlreadyWrittenException,
        BufferNotFoundException,
        WriterAlreadyConnectedException,
        ReaderAlreadyConnectedException,
        SequenceError,
        CorruptBufferException,
        IncompatibleVersionException,
        InvalidNameException,
        InvalidStateException,
        InternalException,
    )
}
