"""The frame checksum of the serve protocol: the first 8 bytes of SHA-256, as 16 lowercase hex digits.

Serves report it for every frame they read; the harness computes the expected value itself.
"""

from __future__ import annotations

import hashlib
from typing import Any


def checksum(data: Any) -> str:
    """Checksum of a bytes-like object (hashed in place, no copy)."""
    return hashlib.sha256(data).digest()[:8].hex()
