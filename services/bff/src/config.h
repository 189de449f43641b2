#pragma once
#include <map>
#include <string>
#include <vector>

namespace healthtech::bff {

struct Config {
  std::string bind_address = "0.0.0.0";
  int http_port = 8080;
  int admin_port = 9100;
  int threads = 2;
  std::string log_level = "info";
  std::string environment = "production";
  std::string redis_url;
  // Downstream gRPC services by short name ("iam", "org", ...), from *_SERVICE_URL.
  std::map<std::string, std::string> services;
  std::string jwt_issuer, jwt_audience;
  std::vector<std::string> cors_origins;
  size_t max_body_bytes = 1 << 20;
  std::string web_dist_dir;  // "" when the web app is not served by the BFF
  int upstream_timeout_ms = 10000;
  // Token buckets: requests per second and burst.
  double ip_rate = 50, ip_burst = 200;
  double user_rate = 20, user_burst = 100;
  bool token_revocation_check = true;
  // Whether a request's traceparent continues the caller's trace (trusted callers only: a
  // gateway of ours). Otherwise the BFF starts its own trace, samples it itself, and links
  // the caller's context; clients learn the trace from the traceresponse header.
  bool trust_incoming_traceparent = false;
  // The refresh-token cookie of browser sessions (Router's SessionCookie).
  std::string session_cookie_name = "ht_refresh";
  bool session_cookie_secure = true;
  int session_cookie_max_age_seconds = 30 * 24 * 3600;
  int ws_max_sessions = 10000, ws_max_sessions_per_user = 10;
  double ws_messages_per_second = 5, ws_message_burst = 20;
  bool rate_limit_enabled = true;
  int shutdown_grace_seconds = 10;
  std::string web_root;  // built web app (optional)

  static Config FromEnv();
};

}  // namespace healthtech::bff
