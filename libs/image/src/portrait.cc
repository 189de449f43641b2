// MakePortrait: JPEG (libjpeg-turbo's TurboJPEG API) or PNG (libpng's simplified API) in,
// a square JPEG out. Sizes are checked from the header before any pixel is decoded, large
// JPEGs are decoded already scaled down (DCT scaling), progressive JPEGs with an abusive
// number of scans are refused (TJFLAG_LIMITSCANS).
#include "healthtech/image/portrait.h"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace healthtech::image {
namespace {

using Byte = unsigned char;
inline Byte U8(char c) { return static_cast<Byte>(c); }

struct Raster {
  int width = 0;
  int height = 0;
  std::vector<Byte> rgb;  // width * height * 3
};

struct Decoded {
  PortraitError error = PortraitError::kNone;
  std::string message;
  Raster raster;
};

Decoded Refuse(PortraitError e, std::string message) {
  Decoded d;
  d.error = e;
  d.message = std::move(message);
  return d;
}

struct TjDeleter {
  void operator()(void* h) const {
    if (h != nullptr) tjDestroy(h);
  }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

bool IsJpeg(std::string_view s) {
  return s.size() >= 3 && U8(s[0]) == 0xFF && U8(s[1]) == 0xD8 && U8(s[2]) == 0xFF;
}

bool IsPng(std::string_view s) {
  static constexpr Byte kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return s.size() >= 8 && std::memcmp(s.data(), kSignature, 8) == 0;
}

std::string SideText(int n) { return std::to_string(n) + " pixels"; }

// Refusal for dimensions read from a header, before decoding.
Decoded CheckDimensions(long width, long height, long max_pixels, const PortraitLimits& l) {
  if (width <= 0 || height <= 0) return Refuse(PortraitError::kCorrupt, "The image has no size.");
  if (width > l.max_side || height > l.max_side || width * height > max_pixels)
    return Refuse(PortraitError::kTooLarge,
                  "The image is too large: at most " + SideText(l.max_side) + " a side and " +
                      std::to_string(max_pixels / 1'000'000) + " megapixels.");
  if (width < l.min_side || height < l.min_side)
    return Refuse(PortraitError::kTooSmall,
                  "The image is too small: at least " + SideText(l.min_side) + " a side.");
  return {};
}

Decoded DecodeJpeg(std::string_view in, const PortraitLimits& l) {
  TjHandle tj(tjInitDecompress());
  if (!tj) return Refuse(PortraitError::kCorrupt, "The image could not be read.");
  const auto* data = reinterpret_cast<const Byte*>(in.data());
  const auto size = static_cast<unsigned long>(in.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), data, size, &width, &height, &subsampling, &colorspace) != 0)
    return Refuse(PortraitError::kCorrupt, "The JPEG image is damaged and could not be read.");
  if (auto d = CheckDimensions(width, height, l.max_pixels, l); d.error != PortraitError::kNone)
    return d;
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
    return Refuse(PortraitError::kUnsupported,
                  "CMYK JPEGs (print files) are not supported: save the photo as RGB.");
  // The largest DCT reduction that keeps the short side at least the output size.
  const int target = std::min(l.output_side, std::min(width, height));
  tjscalingfactor best{1, 1};
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  for (int i = 0; factors != nullptr && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom) continue;
    if (std::min(TJSCALED(width, f), TJSCALED(height, f)) < target) continue;
    if (TJSCALED(width, f) < TJSCALED(width, best)) best = f;
  }
  Decoded d;
  d.raster.width = TJSCALED(width, best);
  d.raster.height = TJSCALED(height, best);
  d.raster.rgb.resize(static_cast<size_t>(d.raster.width) * d.raster.height * 3);
  if (tjDecompress2(tj.get(), data, size, d.raster.rgb.data(), d.raster.width, 0, d.raster.height,
                    TJPF_RGB, TJFLAG_LIMITSCANS) != 0 &&
      tjGetErrorCode(tj.get()) != TJERR_WARNING) {
    return Refuse(PortraitError::kCorrupt, "The JPEG image is damaged and could not be read.");
  }
  return d;
}

Decoded DecodePng(std::string_view in, const PortraitLimits& l) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  struct Free {
    png_image* p;
    ~Free() { png_image_free(p); }
  } free_on_exit{&png};
  if (png_image_begin_read_from_memory(&png, in.data(), in.size()) == 0)
    return Refuse(PortraitError::kCorrupt, "The PNG image is damaged and could not be read.");
  // Decoded whole: a lower pixel limit than for JPEGs, which are decoded already scaled.
  const long max_pixels = std::min<long>(l.max_pixels, 16'000'000);
  if (auto d = CheckDimensions(png.width, png.height, max_pixels, l);
      d.error != PortraitError::kNone) {
    return d;
  }
  png.format = PNG_FORMAT_RGB;  // 8-bit sRGB; transparency is laid over white
  Decoded d;
  d.raster.width = static_cast<int>(png.width);
  d.raster.height = static_cast<int>(png.height);
  d.raster.rgb.resize(PNG_IMAGE_SIZE(png));
  const png_color white{255, 255, 255};
  if (png_image_finish_read(&png, &white, d.raster.rgb.data(), 0, nullptr) == 0)
    return Refuse(PortraitError::kCorrupt, "The PNG image is damaged and could not be read.");
  return d;
}

int TiffOrientation(std::string_view t) {
  if (t.size() < 8) return 1;
  bool little;
  if (t.substr(0, 2) == "II")
    little = true;
  else if (t.substr(0, 2) == "MM")
    little = false;
  else
    return 1;
  auto u16 = [&](size_t o) -> long {
    if (o + 2 > t.size()) return -1;
    return little ? U8(t[o]) | (U8(t[o + 1]) << 8) : (U8(t[o]) << 8) | U8(t[o + 1]);
  };
  auto u32 = [&](size_t o) -> long long {
    if (o + 4 > t.size()) return -1;
    long long v = 0;
    for (int k = 0; k < 4; ++k)
      v |= static_cast<long long>(U8(t[o + (little ? k : 3 - k)])) << (8 * k);
    return v;
  };
  if (u16(2) != 42) return 1;
  const long long ifd = u32(4);
  if (ifd < 8 || static_cast<size_t>(ifd) + 2 > t.size()) return 1;
  const long entries = u16(static_cast<size_t>(ifd));
  for (long k = 0; k < entries; ++k) {
    const size_t e = static_cast<size_t>(ifd) + 2 + 12 * static_cast<size_t>(k);
    if (e + 12 > t.size()) return 1;
    if (u16(e) != 0x0112) continue;
    if (u16(e + 2) != 3) return 1;  // SHORT
    const long v = u16(e + 8);
    return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
  }
  return 1;
}

// Where the upright picture's pixel (x, y) is in the stored raster, by EXIF orientation.
struct Orient {
  int o, w, h;  // orientation, stored width and height
  int UprightWidth() const { return o >= 5 ? h : w; }
  int UprightHeight() const { return o >= 5 ? w : h; }
  void Source(int x, int y, int* sx, int* sy) const {
    switch (o) {
      case 2:
        *sx = w - 1 - x, *sy = y;
        break;
      case 3:
        *sx = w - 1 - x, *sy = h - 1 - y;
        break;
      case 4:
        *sx = x, *sy = h - 1 - y;
        break;
      case 5:
        *sx = y, *sy = x;
        break;
      case 6:
        *sx = y, *sy = h - 1 - x;
        break;
      case 7:
        *sx = w - 1 - y, *sy = h - 1 - x;
        break;
      case 8:
        *sx = w - 1 - y, *sy = x;
        break;
      default:
        *sx = x, *sy = y;
        break;
    }
  }
};

// The centred square of the upright picture, scaled to `side` by averaging each output
// pixel's box of source pixels (every source pixel counted once).
std::vector<Byte> CropScale(const Raster& r, int orientation, int side) {
  const Orient ori{orientation, r.width, r.height};
  const int uw = ori.UprightWidth(), uh = ori.UprightHeight();
  const int s = std::min(uw, uh);
  const int x0 = (uw - s) / 2, y0 = (uh - s) / 2;
  std::vector<Byte> out(static_cast<size_t>(side) * side * 3);
  for (int v = 0; v < side; ++v) {
    const int ya = y0 + static_cast<int>(static_cast<long>(v) * s / side);
    const int yb = std::max(ya + 1, y0 + static_cast<int>(static_cast<long>(v + 1) * s / side));
    for (int u = 0; u < side; ++u) {
      const int xa = x0 + static_cast<int>(static_cast<long>(u) * s / side);
      const int xb = std::max(xa + 1, x0 + static_cast<int>(static_cast<long>(u + 1) * s / side));
      unsigned long sum[3] = {0, 0, 0};
      for (int y = ya; y < yb; ++y) {
        for (int x = xa; x < xb; ++x) {
          int sx = 0, sy = 0;
          ori.Source(x, y, &sx, &sy);
          const Byte* p = &r.rgb[(static_cast<size_t>(sy) * r.width + sx) * 3];
          sum[0] += p[0], sum[1] += p[1], sum[2] += p[2];
        }
      }
      const unsigned long n = static_cast<unsigned long>(yb - ya) * (xb - xa);
      Byte* q = &out[(static_cast<size_t>(v) * side + u) * 3];
      for (int c = 0; c < 3; ++c) q[c] = static_cast<Byte>((sum[c] + n / 2) / n);
    }
  }
  return out;
}

}  // namespace

int JpegOrientation(std::string_view j) {
  if (!IsJpeg(j)) return 1;
  size_t i = 2;
  while (i + 4 <= j.size()) {
    if (U8(j[i]) != 0xFF) return 1;
    const Byte marker = U8(j[i + 1]);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return 1;  // end of image, start of scan
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    const size_t len = (static_cast<size_t>(U8(j[i + 2])) << 8) | U8(j[i + 3]);
    if (len < 2 || i + 2 + len > j.size()) return 1;
    if (marker == 0xE1 && len >= 8 && j.substr(i + 4, 6) == std::string_view("Exif\0\0", 6))
      return TiffOrientation(j.substr(i + 10, len - 8));
    i += 2 + len;
  }
  return 1;
}

Portrait MakePortrait(std::string_view upload, const PortraitLimits& limits) {
  Portrait p;
  auto fail = [&](PortraitError e, std::string message) {
    p.error = e;
    p.message = std::move(message);
    return p;
  };
  if (upload.empty()) return fail(PortraitError::kEmpty, "The photo is empty.");
  if (upload.size() > limits.max_bytes)
    return fail(
        PortraitError::kTooLarge,
        "The photo must be at most " + std::to_string(limits.max_bytes / (1024 * 1024)) + " MiB.");
  const bool jpeg = IsJpeg(upload);
  if (!jpeg && !IsPng(upload))
    return fail(PortraitError::kNotAnImage, "The photo must be a JPEG or PNG image.");
  Decoded d = jpeg ? DecodeJpeg(upload, limits) : DecodePng(upload, limits);
  if (d.error != PortraitError::kNone) return fail(d.error, std::move(d.message));
  const int orientation = jpeg ? JpegOrientation(upload) : 1;
  const int side = std::min(limits.output_side, std::min(d.raster.width, d.raster.height));
  std::vector<Byte> square = CropScale(d.raster, orientation, side);
  TjHandle tj(tjInitCompress());
  Byte* buf = nullptr;
  unsigned long len = 0;
  if (!tj || tjCompress2(tj.get(), square.data(), side, 0, side, TJPF_RGB, &buf, &len, TJSAMP_420,
                         limits.quality, TJFLAG_ACCURATEDCT) != 0) {
    if (buf != nullptr) tjFree(buf);
    return fail(PortraitError::kCorrupt, "The photo could not be converted.");
  }
  p.jpeg.assign(reinterpret_cast<const char*>(buf), len);
  tjFree(buf);
  p.side = side;
  return p;
}

}  // namespace healthtech::image
