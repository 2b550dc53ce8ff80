#!/usr/bin/env python3
"""Two-terminal video demo for the `zerobuffer` tool (docs/cli.md). Standard library only.

terminal 1 (the reader owns the buffer; 64 MiB holds ten 1080p frames):
    zerobuffer read video --format len-prefixed --payload-size 67108864 | python3 video_demo.py sink
terminal 2 (synthetic 1920x1080 RGB frames at 30 frames/s):
    python3 video_demo.py source --fps 30 | zerobuffer write video --len-prefixed

Each frame starts with the sender's CLOCK_MONOTONIC time in nanoseconds and its number, so the
sink reports frames/s and the latency from source to sink (through both pipes and the buffer).
"""

import argparse
import struct
import sys
import time

WIDTH, HEIGHT = 1920, 1080
FRAME_BYTES = WIDTH * HEIGHT * 3
STAMP = struct.Struct("<QQ")  # monotonic ns, frame number


def source(fps: float, frames: int) -> int:
    out = sys.stdout.buffer
    prefix = struct.pack("<I", FRAME_BYTES)
    # A few precomputed images (a gray ramp that moves); only the stamp changes per frame.
    images = [bytearray(bytes((x + shift) & 0xFF for x in range(256)) * (FRAME_BYTES // 256 + 1))[:FRAME_BYTES]
              for shift in range(0, 256, 32)]
    interval = 1.0 / fps
    next_time = time.monotonic()
    n = 0
    try:
        while frames == 0 or n < frames:
            image = images[n % len(images)]
            STAMP.pack_into(image, 0, time.monotonic_ns(), n)
            out.write(prefix)
            out.write(image)
            out.flush()
            n += 1
            next_time += interval
            delay = next_time - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the synthetic camera, not waiting for a result
    except BrokenPipeError:
        return 1
    return 0


def read_exact(stream, size: int) -> bytes:
    data = stream.read(size)
    return data if data is not None and len(data) == size else b""


def sink() -> int:
    stream = sys.stdin.buffer
    total = 0
    window_start = time.monotonic()
    window_frames = 0
    latencies = []
    while True:
        prefix = read_exact(stream, 4)
        if not prefix:
            break
        (size,) = struct.unpack("<I", prefix)
        frame = read_exact(stream, size)
        if len(frame) < STAMP.size:
            print("truncated frame", file=sys.stderr)
            return 1
        sent_ns, _number = STAMP.unpack_from(frame, 0)
        latencies.append((time.monotonic_ns() - sent_ns) / 1e6)
        total += 1
        window_frames += 1
        now = time.monotonic()
        if now - window_start >= 1.0:
            print(f"{window_frames / (now - window_start):6.1f} frames/s, latency avg "
                  f"{sum(latencies) / len(latencies):6.2f} ms, max {max(latencies):6.2f} ms", flush=True)
            window_start, window_frames, latencies = now, 0, []
    print(f"received {total} frames", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="role", required=True)
    src = sub.add_parser("source", help="write length-prefixed 1080p frames to stdout")
    src.add_argument("--fps", type=float, default=30.0)
    src.add_argument("--frames", type=int, default=0, help="frames to send (0 = until interrupted)")
    sub.add_parser("sink", help="read length-prefixed frames from stdin, report frames/s and latency")
    args = parser.parse_args()
    return source(args.fps, args.frames) if args.role == "source" else sink()


if __name__ == "__main__":
    sys.exit(main())
