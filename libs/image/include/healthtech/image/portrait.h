#pragma once
// Profile photos: an uploaded JPEG or PNG, recognised by its content (never by its name or
// declared type), turned into a small square JPEG the platform serves. The output is encoded
// afresh, so nothing of the upload survives but its pixels: no EXIF (GPS, camera serial), no
// comments, no trailing bytes.
#include <cstddef>
#include <string>
#include <string_view>

namespace healthtech::image {

struct PortraitLimits {
  size_t max_bytes = 5u * 1024 * 1024;
  int min_side = 64;             // smaller images are refused, not blown up
  int max_side = 12000;          // per dimension, read from the header before decoding
  long max_pixels = 50'000'000;  // decompression bombs are refused before any allocation
  int output_side = 320;         // the square served (160 CSS px at 2x)
  int quality = 85;
};

enum class PortraitError {
  kNone,
  kEmpty,
  kTooLarge,    // bytes or pixels over the limits
  kNotAnImage,  // neither JPEG nor PNG by its first bytes
  kTooSmall,
  kCorrupt,      // the decoder refused it
  kUnsupported,  // e.g. a CMYK JPEG
};

struct Portrait {
  PortraitError error = PortraitError::kNone;
  std::string message;  // for the person who uploaded, when error != kNone
  std::string jpeg;
  int side = 0;
  bool ok() const { return error == PortraitError::kNone; }
};

// Decodes, turns upright by the JPEG's EXIF orientation, crops the centred square, scales it
// down by area averaging to at most `output_side` pixels and encodes a baseline JPEG.
Portrait MakePortrait(std::string_view upload, const PortraitLimits& limits = {});

// The EXIF orientation (1..8) of a JPEG, 1 when it has none or it cannot be read.
int JpegOrientation(std::string_view jpeg);

}  // namespace healthtech::image
