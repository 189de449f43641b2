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
};

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  // Whether this request is for the web app rather than the API.
  static bool Claims(std::string_view method, std::string_view path);

  // The file for `path`, or nullopt when there is none (the caller answers 404).
  std::optional<StaticFile> Get(std::string_view path) const;

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
