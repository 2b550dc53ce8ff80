// Proves the installed package is usable: one frame through a buffer in one process.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <zerobuffer/zerobuffer.h>

int main() {
  const std::string name = "zb-consumer-" + std::to_string(::getpid());
  zerobuffer::Reader reader(name, zerobuffer::BufferConfig{.metadata_size = 0, .payload_size = 4096});
  zerobuffer::Writer writer(name);
  const std::byte payload[3] = {std::byte{1}, std::byte{2}, std::byte{3}};
  writer.write_frame(payload);
  const zerobuffer::Frame frame = reader.read_frame(std::chrono::milliseconds(1000));
  const bool ok = frame.valid() && frame.size() == 3 && frame.sequence() == 1;
  std::printf("consumer: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
