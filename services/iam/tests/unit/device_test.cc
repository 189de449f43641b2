#include "healthtech/iam/domain/device.h"

#include <gtest/gtest.h>

namespace healthtech::iam {
namespace {

constexpr const char* kChrome120Linux =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36";
constexpr const char* kChrome121Linux =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.6167.85 Safari/537.36";
constexpr const char* kFirefoxWindows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
constexpr const char* kSafariIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
constexpr const char* kEdgeWindows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
constexpr const char* kChromeAndroid =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36";

TEST(DeviceKey, IgnoresVersionNumbers) {
  EXPECT_EQ(DeviceKey(kChrome120Linux), DeviceKey(kChrome121Linux));
  EXPECT_EQ(DeviceKey("python-requests/2.28.1"), DeviceKey("python-requests/2.31.0"));
}

TEST(DeviceKey, TellsBrowsersAndSystemsApart) {
  EXPECT_NE(DeviceKey(kChrome120Linux), DeviceKey(kFirefoxWindows));
  EXPECT_NE(DeviceKey(kChrome120Linux), DeviceKey(kChromeAndroid));
  EXPECT_NE(DeviceKey(kChrome120Linux), DeviceKey(kEdgeWindows));
  EXPECT_NE(DeviceKey("curl/8.1.2"), DeviceKey("python-requests/2.28.1"));
}

TEST(DeviceKey, EmptyIsUnknown) {
  EXPECT_EQ(DeviceKey(""), "unknown");
  EXPECT_EQ(DeviceKey("   "), "unknown");
  EXPECT_EQ(DeviceKey("1.2.3"), "unknown");
}

TEST(DeviceLabel, NamesBrowserAndSystem) {
  EXPECT_EQ(DeviceLabel(kChrome120Linux), "Chrome on Linux");
  EXPECT_EQ(DeviceLabel(kFirefoxWindows), "Firefox on Windows");
  EXPECT_EQ(DeviceLabel(kSafariIphone), "Safari on iOS");
  EXPECT_EQ(DeviceLabel(kEdgeWindows), "Edge on Windows");
  EXPECT_EQ(DeviceLabel(kChromeAndroid), "Chrome on Android");
}

TEST(DeviceLabel, ProgramsAreNamedByTheirProductToken) {
  EXPECT_EQ(DeviceLabel("python-requests/2.28.1"), "python-requests");
  EXPECT_EQ(DeviceLabel("curl/8.1.2"), "curl");
  EXPECT_EQ(DeviceLabel(""), "an unknown device");
  EXPECT_EQ(DeviceLabel(std::string(300, 'x')).size(), 40u);
}

}  // namespace
}  // namespace healthtech::iam
