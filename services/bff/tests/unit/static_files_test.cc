#include "static_files.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace healthtech::bff {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bff-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "dist" / "assets");
    Write("dist/index.html", "<!doctype html><title>app</title>");
    Write("dist/assets/index-abc123.js", "console.log(1)");
    Write("dist/manifest.webmanifest", "{}");
    Write("secret.txt", "outside the root");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& body) {
    std::ofstream(dir_ / rel, std::ios::binary) << body;
  }
  std::filesystem::path dir_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  StaticFiles files((dir_ / "dist").string());
  auto js = files.Get("/assets/index-abc123.js");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->cache_control, "public, max-age=31536000, immutable");
  auto root = files.Get("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(root->cache_control, "no-cache");
  auto manifest = files.Get("/manifest.webmanifest");
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->content_type, "application/manifest+json");
}

TEST_F(StaticFilesTest, SendsThePrecompressedCopyTheClientTakes) {
  Write("dist/assets/index-abc123.js.br", "BROTLI");
  Write("dist/assets/index-abc123.js.gz", "GZIP");
  Write("dist/index.html.gz", "GZIP-SHELL");
  StaticFiles files((dir_ / "dist").string());
  auto br = files.Get("/assets/index-abc123.js", "gzip, deflate, br");
  ASSERT_TRUE(br.has_value());
  EXPECT_EQ(br->body, "BROTLI");
  EXPECT_EQ(br->content_encoding, "br");
  EXPECT_TRUE(br->vary_encoding);
  EXPECT_EQ(br->content_type, "text/javascript; charset=utf-8");
  auto gz = files.Get("/assets/index-abc123.js", "gzip;q=1.0, br;q=0");
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(gz->body, "GZIP");
  EXPECT_EQ(gz->content_encoding, "gzip");
  auto plain = files.Get("/assets/index-abc123.js", "identity");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "console.log(1)");
  EXPECT_EQ(plain->content_encoding, "");
  EXPECT_TRUE(plain->vary_encoding);
  // The app shell of a client route, compressed too.
  auto shell = files.Get("/appointments", "gzip");
  ASSERT_TRUE(shell.has_value());
  EXPECT_EQ(shell->body, "GZIP-SHELL");
  EXPECT_EQ(shell->content_type, "text/html; charset=utf-8");
  // No copy: the file itself, and no Vary.
  auto manifest = files.Get("/manifest.webmanifest", "br");
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->content_encoding, "");
  EXPECT_FALSE(manifest->vary_encoding);
  EXPECT_TRUE(StaticFiles::Accepts("*", "br"));
  EXPECT_FALSE(StaticFiles::Accepts("br;q=0.000", "br"));
  EXPECT_TRUE(StaticFiles::Accepts("br;q=0.5", "br"));
  EXPECT_FALSE(StaticFiles::Accepts("brotli", "br"));
  EXPECT_FALSE(StaticFiles::Accepts("", "gzip"));
}

TEST_F(StaticFilesTest, ClientRoutesGetTheAppShellButMissingFilesDoNot) {
  StaticFiles files((dir_ / "dist").string());
  auto route = files.Get("/appointments/upcoming");
  ASSERT_TRUE(route.has_value());
  EXPECT_EQ(route->body, "<!doctype html><title>app</title>");
  EXPECT_FALSE(files.Get("/assets/missing.js").has_value());
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  StaticFiles files((dir_ / "dist").string());
  for (const char* p : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                        "/..\\secret.txt", "//etc/passwd.txt", "/.env.txt"}) {
    auto f = files.Get(p);
    EXPECT_FALSE(f.has_value() && f->body == "outside the root") << p;
    EXPECT_EQ(StaticFiles::SafeRelative(p), "") << p;
  }
}

TEST(StaticFilesClaims, LeavesTheApiAlone) {
  EXPECT_TRUE(StaticFiles::Claims("GET", "/"));
  EXPECT_TRUE(StaticFiles::Claims("GET", "/book/123"));
  EXPECT_TRUE(StaticFiles::Claims("HEAD", "/assets/a.js"));
  EXPECT_FALSE(StaticFiles::Claims("POST", "/"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/v1/me"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/v1"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/.well-known/jwks.json"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/health"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/ready"));
  EXPECT_FALSE(StaticFiles::Claims("GET", "/ws"));
}

TEST(StaticFilesCsp, AllowsNoInlineScriptOrFraming) {
  std::string csp = StaticFiles::PageCsp();
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
}

}  // namespace
}  // namespace healthtech::bff
