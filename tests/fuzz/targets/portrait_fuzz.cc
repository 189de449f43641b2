// libFuzzer target: profile photos. Whatever bytes arrive (a damaged JPEG, a PNG with a lying
// header, EXIF with offsets past the end), MakePortrait answers an image or a refusal without
// a crash, a sanitizer finding or an allocation beyond its pixel limits; an image it answers
// is a JPEG no larger than the output side.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "healthtech/image/portrait.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthtech::image;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  PortraitLimits limits;
  limits.output_side = 48;  // keeps each run fast; the code paths are the same
  limits.min_side = 8;
  limits.max_pixels = 4'000'000;
  Portrait p = MakePortrait(in, limits);
  if (p.ok() && (p.jpeg.size() < 3 || static_cast<unsigned char>(p.jpeg[0]) != 0xFF || p.side < 1 ||
                 p.side > limits.output_side))
    __builtin_trap();
  if (!p.ok() && p.message.empty()) __builtin_trap();
  (void)JpegOrientation(in);
  return 0;
}
