// ZeroBuffer: zero-copy frame transport between processes over named shared memory.
#pragma once

#include "zerobuffer/buffer_view.h"
#include "zerobuffer/config.h"
#include "zerobuffer/error.h"
#include "zerobuffer/frame.h"
#include "zerobuffer/host.h"
#include "zerobuffer/oieb.h"
#include "zerobuffer/reader.h"
#include "zerobuffer/version.h"
#include "zerobuffer/writer.h"

namespace zerobuffer {

/// True when `name` follows the naming rule: 1..200 bytes of [A-Za-z0-9._-], not starting with '.'.
bool is_valid_name(std::string_view name) noexcept;

}  // namespace zerobuffer
