"""Frames as numpy arrays without copying them out of shared memory.

    python3 numpy_zero_copy.py read NAME COUNT     # terminal 1: creates the buffer
    python3 numpy_zero_copy.py write NAME COUNT    # terminal 2: COUNT gray 640x480 images

The reader prints one line per frame (sequence, mean brightness) and a summary. Needs numpy
(Debian: python3-numpy) and the zerobuffer package (or PYTHONPATH=zerobuffer/python).

Lifetime, the one rule to follow: ``numpy.frombuffer(frame.data)`` does not copy, so the array
*is* the ring's memory. Once the frame is released the writer may overwrite those bytes with the
next image. So use the array only while the frame is held — inside ``with frame:`` — and let
go of it (``del``) before the block ends. To keep an image longer, take ``array.copy()``
while the frame is still held.
"""

import sys

import numpy as np

import zerobuffer as zb

WIDTH, HEIGHT = 640, 480


def read(name: str, count: int) -> int:
    config = zb.BufferConfig(metadata_size=64, payload_size=4 * WIDTH * HEIGHT)
    brightest = None  # a copy: ours to keep after its frame is released
    with zb.Reader(name, config) as reader:
        print("ready", flush=True)
        for _ in range(count):
            frame = reader.read_frame(timeout=10.0)
            if frame is None:
                print("no frame for 10 s", file=sys.stderr)
                return 1
            with frame:  # the frame is held, so its bytes are stable, until this block ends
                image = np.frombuffer(frame.data, dtype=np.uint8).reshape(HEIGHT, WIDTH)  # zero copy
                mean = float(image.mean())
                expected = frame.sequence % 256
                if image[0, 0] != expected or image[-1, -1] != expected:
                    print(f"frame {frame.sequence}: wrong pixels", file=sys.stderr)
                    return 1
                if brightest is None or mean > brightest.mean():
                    brightest = image.copy()  # explicit copy: survives the release
                del image  # no view of the ring may outlive the frame
            print(f"frame {frame.sequence}: mean {mean:.1f}")
    print(f"read {count} frames; brightest mean {brightest.mean():.1f}")
    return 0


def write(name: str, count: int) -> int:
    with zb.Writer(name) as writer:
        for n in range(1, count + 1):
            # Zero-copy on the writer side too: numpy fills the ring in place, then commit.
            slot = np.frombuffer(writer.get_frame_buffer(WIDTH * HEIGHT), dtype=np.uint8)
            slot[:] = n % 256
            del slot  # the view must not outlive the commit
            writer.commit_frame()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("read", "write"):
        sys.exit(__doc__)
    role, buffer_name, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.exit(read(buffer_name, frames) if role == "read" else write(buffer_name, frames))
