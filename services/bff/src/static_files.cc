#include "static_files.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace healthtech::bff {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ReadFile(const std::filesystem::path& p, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

bool StaticFiles::Claims(std::string_view method, std::string_view path) {
  if (method != "GET" && method != "HEAD") return false;
  if (path.empty() || path[0] != '/') return false;
  for (std::string_view api : {"/v1/", "/uhi/", "/.well-known/", "/ws", "/metrics"}) {
    if (StartsWith(path, api)) return false;
  }
  return path != "/v1" && path != "/health" && path != "/ready";
}

std::string StaticFiles::SafeRelative(std::string_view path) {
  if (path.empty() || path[0] != '/') return "";
  std::string_view rel = path.substr(1);
  if (rel.empty()) return "index.html";
  if (rel.size() > 512) return "";
  for (char c : rel) {
    if (c == '\\' || c == '%' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return "";
  }
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view seg = rel.substr(start, end - start);
    if (seg.empty() && end != rel.size()) return "";  // "//"
    if (seg == "." || seg == "..") return "";
    if (!seg.empty() && seg[0] == '.') return "";  // dotfiles
    start = end + 1;
  }
  return std::string(rel);
}

std::string StaticFiles::ContentType(std::string_view file) {
  size_t dot = file.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : file.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

const char* StaticFiles::PageCsp() {
  return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
         "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
         "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}

bool StaticFiles::Accepts(std::string_view accept, std::string_view coding) {
  size_t start = 0;
  while (start < accept.size()) {
    size_t end = accept.find(',', start);
    if (end == std::string_view::npos) end = accept.size();
    std::string_view item = accept.substr(start, end - start);
    start = end + 1;
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding && name != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    // q=0, q=0.0, q=0.000 refuse; anything else accepts.
    std::string_view v = params.substr(q + 2);
    bool zero = !v.empty() && v[0] == '0';
    for (size_t i = 1; zero && i < v.size() && v[i] != ' ' && v[i] != ';'; ++i)
      zero = v[i] == '.' || v[i] == '0';
    return !zero;
  }
  return false;
}

std::optional<StaticFile> StaticFiles::Get(std::string_view path,
                                           std::string_view accept_encoding) const {
  std::string rel = SafeRelative(path);
  StaticFile f;
  std::filesystem::path root(root_);
  // The brotli or gzip copy beside the file, when the client takes it.
  auto compressed = [&](const std::string& file) {
    std::error_code ec;
    for (const char* coding : {"br", "gzip"}) {
      std::string ext = std::string(coding) == "br" ? ".br" : ".gz";
      if (!std::filesystem::is_regular_file(root / (file + ext), ec)) continue;
      f.vary_encoding = true;
      if (Accepts(accept_encoding, coding) && ReadFile(root / (file + ext), &f.body)) {
        f.content_encoding = coding;
        return true;
      }
    }
    return false;
  };
  if (!rel.empty() && std::filesystem::is_regular_file(root / rel)) {
    if (!compressed(rel) && !ReadFile(root / rel, &f.body)) return std::nullopt;
    f.content_type = ContentType(rel);
    // Vite names bundles by content hash: they never change. Everything else (index.html,
    // the service worker, the manifest) is revalidated so a new build shows at once.
    f.cache_control =
        StartsWith(rel, "assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    return f;
  }
  // A client-side route (no extension in the last segment): the app shell.
  std::string_view last = path.substr(path.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return std::nullopt;
  if (!compressed("index.html") && !ReadFile(root / "index.html", &f.body)) return std::nullopt;
  f.content_type = ContentType("index.html");
  f.cache_control = "no-cache";
  return f;
}

}  // namespace healthtech::bff
