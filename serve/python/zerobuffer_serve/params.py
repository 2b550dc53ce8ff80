"""Typed access to JSON-RPC params, with the serve protocol's rules for integers."""

from __future__ import annotations

from typing import Any, Optional

U64_MAX = 2**64 - 1
U32_MAX = 2**32 - 1
DURATION_MAX_MS = 2147483647


class InvalidParams(Exception):
    """A parameter is missing, of the wrong JSON type, or a combination rule is broken (-32602)."""


_MISSING: Any = object()


def _as_integer(key: str, value: Any) -> int:
    """A JSON number without a fractional part (5 and 5.0 are both 5)."""
    if isinstance(value, bool):
        raise InvalidParams(f"'{key}' must be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise InvalidParams(f"'{key}' must be an integer, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Params:
    """The params object of one request."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def has(self, key: str) -> bool:
        return key in self._values

    def _get(self, key: str, default: Any) -> Any:
        if key in self._values:
            return self._values[key]
        if default is _MISSING:
            raise InvalidParams(f"missing parameter '{key}'")
        return default

    def size(self, key: str, default: Any = _MISSING, maximum: int = U64_MAX) -> int:
        """A non-negative integer that fits ``maximum`` (sizes, counts, mode)."""
        if key not in self._values and default is not _MISSING:
            return default  # type: ignore[no-any-return]
        number = _as_integer(key, self._get(key, default))
        if number < 0 or number > maximum:
            raise InvalidParams(f"'{key}' must be an integer between 0 and {maximum}, got {number}")
        return number

    def optional_size(self, key: str, maximum: int = U64_MAX) -> Optional[int]:
        return self.size(key, maximum=maximum) if key in self._values else None

    def duration_ms(self, key: str, default: int) -> int:
        """A non-negative 64-bit integer of milliseconds, clamped to 2147483647."""
        return min(self.size(key, default), DURATION_MAX_MS)

    def seed(self, key: str = "seed") -> int:
        """Any integer; only its value modulo 251 matters."""
        value = self._get(key, 0)
        return _as_integer(key, value)

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise InvalidParams(f"'{key}' must be a boolean, got {_json_type(value)}")
        return value

    def string(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise InvalidParams(f"'{key}' must be a string, got {_json_type(value)}")
        return value

    def size_list(self, key: str) -> list[int]:
        """A non-empty array of sizes."""
        value = self._get(key, _MISSING)
        if not isinstance(value, list):
            raise InvalidParams(f"'{key}' must be an array of integers, got {_json_type(value)}")
        if not value:
            raise InvalidParams(f"'{key}' must not be empty")
        sizes = []
        for index, item in enumerate(value):
            number = _as_integer(f"{key}[{index}]", item)
            if number < 0 or number > U64_MAX:
                raise InvalidParams(f"'{key}[{index}]' must be an integer between 0 and {U64_MAX}, got {number}")
            sizes.append(number)
        return sizes

    def exactly_one_of(self, *keys: str) -> str:
        present = [key for key in keys if key in self._values]
        if len(present) != 1:
            listed = ", ".join(f"'{key}'" for key in keys)
            raise InvalidParams(f"exactly one of {listed} is required, got {len(present)}")
        return present[0]
