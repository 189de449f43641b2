#include "healthtech/image/portrait.h"

#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <functional>
#include <vector>

namespace healthtech::image {
namespace {

using Pixel = std::array<unsigned char, 3>;
using Painter = std::function<Pixel(int x, int y)>;

std::vector<unsigned char> Paint(int w, int h, const Painter& paint, int channels = 3) {
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      Pixel c = paint(x, y);
      for (int k = 0; k < 3; ++k) px[(static_cast<size_t>(y) * w + x) * channels + k] = c[k];
      if (channels == 4) px[(static_cast<size_t>(y) * w + x) * 4 + 3] = x < w / 2 ? 0 : 255;
    }
  return px;
}

std::string Png(int w, int h, const Painter& paint, bool alpha = false) {
  auto px = Paint(w, h, paint, alpha ? 4 : 3);
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = w;
  img.height = h;
  img.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  EXPECT_NE(png_image_write_to_memory(&img, nullptr, &size, 0, px.data(), 0, nullptr), 0);
  std::string out(size, '\0');
  EXPECT_NE(png_image_write_to_memory(&img, out.data(), &size, 0, px.data(), 0, nullptr), 0);
  out.resize(size);
  return out;
}

std::string Jpeg(int w, int h, const Painter& paint) {
  auto px = Paint(w, h, paint);
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long len = 0;
  EXPECT_EQ(tjCompress2(tj, px.data(), w, 0, h, TJPF_RGB, &buf, &len, TJSAMP_444, 95, 0), 0);
  std::string out(reinterpret_cast<char*>(buf), len);
  tjFree(buf);
  tjDestroy(tj);
  return out;
}

// The JPEG with an EXIF APP1 segment (little-endian TIFF) holding only an orientation.
std::string WithOrientation(const std::string& jpeg, int orientation) {
  const unsigned char tiff[] = {'E', 'x',  'i',  'f',  0,
                                0,   'I',  'I',  0x2A, 0,
                                8,   0,    0,    0,    1,
                                0,   0x12, 0x01, 3,    0,
                                1,   0,    0,    0,    static_cast<unsigned char>(orientation),
                                0,   0,    0,    0,    0,
                                0,   0};
  std::string app1 = {'\xFF', '\xE1', 0, static_cast<char>(sizeof tiff + 2)};
  app1.append(reinterpret_cast<const char*>(tiff), sizeof tiff);
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

struct Decoded {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  Pixel At(int x, int y) const {
    const unsigned char* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
    return {p[0], p[1], p[2]};
  }
};

Decoded Decode(const std::string& jpeg) {
  Decoded d;
  tjhandle tj = tjInitDecompress();
  int sub = 0, cs = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(jpeg.data());
  EXPECT_EQ(tjDecompressHeader3(tj, data, jpeg.size(), &d.w, &d.h, &sub, &cs), 0);
  d.rgb.resize(static_cast<size_t>(d.w) * d.h * 3);
  EXPECT_EQ(tjDecompress2(tj, data, jpeg.size(), d.rgb.data(), d.w, 0, d.h, TJPF_RGB, 0), 0);
  tjDestroy(tj);
  return d;
}

bool Near(Pixel a, Pixel b) {
  for (int k = 0; k < 3; ++k)
    if (std::abs(a[k] - b[k]) > 24) return false;
  return true;
}

const Pixel kRed{220, 20, 20}, kBlue{20, 20, 220}, kGreen{20, 200, 20}, kBlack{0, 0, 0},
    kWhite{255, 255, 255};

TEST(Portrait, CropsTheCentredSquareAndScalesDown) {
  // 800x600: red left of x=400, blue right; the centred square is x 100..700.
  auto p = MakePortrait(Png(800, 600, [](int x, int) { return x < 400 ? kRed : kBlue; }));
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.side, 320);
  auto d = Decode(p.jpeg);
  EXPECT_EQ(d.w, 320);
  EXPECT_EQ(d.h, 320);
  EXPECT_TRUE(Near(d.At(60, 160), kRed));
  EXPECT_TRUE(Near(d.At(260, 160), kBlue));
}

TEST(Portrait, LargeJpegIsDecodedScaledAndSmallOnesAreNotBlownUp) {
  auto big = MakePortrait(Jpeg(3000, 2000, [](int, int y) { return y < 1000 ? kGreen : kBlack; }));
  ASSERT_TRUE(big.ok()) << big.message;
  EXPECT_EQ(big.side, 320);
  auto d = Decode(big.jpeg);
  EXPECT_TRUE(Near(d.At(160, 40), kGreen));
  EXPECT_TRUE(Near(d.At(160, 280), kBlack));
  auto small = MakePortrait(Jpeg(100, 120, [](int, int) { return kBlue; }));
  ASSERT_TRUE(small.ok()) << small.message;
  EXPECT_EQ(small.side, 100);
}

TEST(Portrait, TurnsPhotosUprightByTheirExifOrientation) {
  // Stored 600x400 with green on top; orientation 6 (rotate 90 degrees clockwise to view):
  // the stored top becomes the upright picture's right side.
  std::string stored = Jpeg(600, 400, [](int, int y) { return y < 200 ? kGreen : kBlack; });
  ASSERT_EQ(JpegOrientation(WithOrientation(stored, 6)), 6);
  ASSERT_EQ(JpegOrientation(stored), 1);
  auto p = MakePortrait(WithOrientation(stored, 6));
  ASSERT_TRUE(p.ok()) << p.message;
  auto d = Decode(p.jpeg);
  EXPECT_TRUE(Near(d.At(280, 160), kGreen));
  EXPECT_TRUE(Near(d.At(40, 160), kBlack));
  // Orientation 8 (rotate 90 counter-clockwise): the stored top becomes the left side.
  auto q = MakePortrait(WithOrientation(stored, 8));
  ASSERT_TRUE(q.ok()) << q.message;
  auto e = Decode(q.jpeg);
  EXPECT_TRUE(Near(e.At(40, 160), kGreen));
  EXPECT_TRUE(Near(e.At(280, 160), kBlack));
}

TEST(Portrait, DropsEverythingButThePixels) {
  std::string stored = WithOrientation(Jpeg(200, 200, [](int, int) { return kRed; }), 1);
  stored += "trailing secret";
  auto p = MakePortrait(stored);
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.jpeg.find("Exif"), std::string::npos);
  EXPECT_EQ(p.jpeg.find("secret"), std::string::npos);
}

TEST(Portrait, LaysTransparencyOverWhite) {
  auto p = MakePortrait(Png(
      200, 200, [](int, int) { return kBlack; }, true));
  ASSERT_TRUE(p.ok()) << p.message;
  auto d = Decode(p.jpeg);
  EXPECT_TRUE(Near(d.At(20, 100), kWhite));   // transparent half
  EXPECT_TRUE(Near(d.At(180, 100), kBlack));  // opaque half
}

TEST(Portrait, RefusesWhatIsNotAnImageOfTheRightSize) {
  EXPECT_EQ(MakePortrait("").error, PortraitError::kEmpty);
  EXPECT_EQ(MakePortrait("hello, I am a photo").error, PortraitError::kNotAnImage);
  EXPECT_EQ(MakePortrait("%PDF-1.7\n...").error, PortraitError::kNotAnImage);
  EXPECT_EQ(MakePortrait("GIF89a........").error, PortraitError::kNotAnImage);
  std::string jpeg = Jpeg(300, 300, [](int, int) { return kRed; });
  EXPECT_EQ(MakePortrait(jpeg.substr(0, 40)).error, PortraitError::kCorrupt);
  std::string png = Png(300, 300, [](int, int) { return kRed; });
  EXPECT_EQ(MakePortrait(png.substr(0, 60)).error, PortraitError::kCorrupt);
  EXPECT_EQ(MakePortrait(Png(40, 400, [](int, int) { return kRed; })).error,
            PortraitError::kTooSmall);
  PortraitLimits tight;
  tight.max_bytes = 100;
  EXPECT_EQ(MakePortrait(png, tight).error, PortraitError::kTooLarge);
}

TEST(Portrait, RefusesDecompressionBombsFromTheHeader) {
  // A valid 64x64 PNG whose header is rewritten to claim 30000x30000 (CRC fixed up): refused
  // before decoding, never allocating 2.7 GB.
  std::string png = Png(64, 64, [](int, int) { return kRed; });
  auto put32 = [&](size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) png[at + k] = static_cast<char>((v >> (24 - 8 * k)) & 0xFF);
  };
  put32(16, 30000);  // IHDR data starts at 16: width, height
  put32(20, 30000);
  const auto* ihdr = reinterpret_cast<const unsigned char*>(png.data() + 12);
  put32(29, static_cast<uint32_t>(crc32(0, ihdr, 17)));
  auto p = MakePortrait(png);
  EXPECT_EQ(p.error, PortraitError::kTooLarge) << p.message;
  EXPECT_NE(p.message.find("megapixels"), std::string::npos);
}

TEST(Portrait, ReadsNoOrientationFromDamagedExif) {
  std::string jpeg = Jpeg(100, 100, [](int, int) { return kRed; });
  std::string bad = WithOrientation(jpeg, 6);
  bad[14] = 'X';  // breaks the "II" byte order mark
  EXPECT_EQ(JpegOrientation(bad), 1);
  std::string cut = WithOrientation(jpeg, 6).substr(0, 20);
  EXPECT_EQ(JpegOrientation(cut), 1);
  EXPECT_EQ(JpegOrientation(WithOrientation(jpeg, 9)), 1);
}

}  // namespace
}  // namespace healthtech::image
