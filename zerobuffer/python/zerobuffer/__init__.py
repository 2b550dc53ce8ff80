"""ZeroBuffer: zero-copy frame transport between processes over shared memory (protocol 1.0).

A Reader creates a named buffer; one Writer connects to it and writes frames, which the reader
sees as memoryviews straight into shared memory. Standard library only (Linux).
"""

from ._config import DEFAULT_SPIN, DEFAULT_TIMEOUT, BufferConfig
from ._errors import (
    ERROR_KINDS,
    BufferFullException,
    BufferNotFoundException,
    CorruptBufferException,
    FrameTooLargeException,
    IncompatibleVersionException,
    InternalException,
    InvalidFrameSizeException,
    InvalidNameException,
    InvalidStateException,
    MetadataAlreadyWrittenException,
    MetadataTooLargeException,
    ReaderAlreadyConnectedException,
    ReaderDeadException,
    SequenceError,
    TimeoutException,
    WriterAlreadyConnectedException,
    WriterDeadException,
    ZeroBufferException,
)
from ._frame import Frame
from ._names import is_valid_name
from ._oieb import VERSION as _WIRE_VERSION
from ._oieb import OIEBView
from ._reader import Reader
from ._writer import Writer, is_connect_retryable

__version__ = "1.0.0"
PROTOCOL_VERSION = ".".join(str(part) for part in _WIRE_VERSION[:3])
"""The wire protocol version this library speaks (from the OIEB layout module)."""

__all__ = [
    "BufferConfig",
    "BufferFullException",
    "BufferNotFoundException",
    "CorruptBufferException",
    "DEFAULT_SPIN",
    "DEFAULT_TIMEOUT",
    "ERROR_KINDS",
    "Frame",
    "FrameTooLargeException",
    "IncompatibleVersionException",
    "InternalException",
    "InvalidFrameSizeException",
    "InvalidNameException",
    "InvalidStateException",
    "MetadataAlreadyWrittenException",
    "MetadataTooLargeException",
    "OIEBView",
    "PROTOCOL_VERSION",
    "Reader",
    "ReaderAlreadyConnectedException",
    "ReaderDeadException",
    "SequenceError",
    "TimeoutException",
    "Writer",
    "WriterAlreadyConnectedException",
    "WriterDeadException",
    "ZeroBufferException",
    "__version__",
    "is_connect_retryable",
    "is_valid_name",
]
