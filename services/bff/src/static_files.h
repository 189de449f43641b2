#pragma once
// The built web app (web/dist) served by the BFF in development. In production a CDN
// serves these files; the BFF only does it when WEB_DIST_DIR names a directory.
//
// Only GET/HEAD of paths outside the API (/v1/, /.well-known/, /health, /ready, /ws) are
// answered. A path that names a file under the directory gets that file; any other path
// without a file extension gets index.html (client-side routes such as /appointments).
// Paths with "..", backslashes, NULs or percent-escapes never reach the file system.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace healthtech::bff {

struct StaticFile {
  int status = 200;
  std::string content_type;
  std::string cache_control;
  std::string body;
  // "br" or "gzip" when the body is the precompressed copy (file.br / file.gz beside the
  // file, written by the web build); "" for the file itself.
  std::string content_encoding;
  // Whether the answer depends on Accept-Encoding (a compressed copy exists).
  bool vary_encoding = false;
};

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  // Whether this request is for the web app rather than the API.
  static bool Claims(std::string_view method, std::string_view path);

  // The file for `path`, or nullopt when there is none (the caller answers 404). With the
  // request's Accept-Encoding, its brotli or gzip copy when there is one the client takes.
  std::optional<StaticFile> Get(std::string_view path, std::string_view accept_encoding = "") const;

  // Whether an Accept-Encoding value accepts `coding` (a q=0 refuses it; "*" accepts).
  static bool Accepts(std::string_view accept_encoding, std::string_view coding);

  // The Content-Security-Policy for served pages: scripts and styles from this origin
  // only (no inline script), API calls to this origin, images also as data: URIs (the
  // MFA QR code).
  static const char* PageCsp();

  // The file under the root `path` names, or an empty string when it is not a safe
  // relative path. Exposed for tests.
  static std::string SafeRelative(std::string_view path);
  static std::string ContentType(std::string_view file);

 private:
  std::string root_;
};

}  // namespace healthtech::bff
