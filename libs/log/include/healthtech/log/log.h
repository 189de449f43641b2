#pragma once
// JSON-lines logging to stdout, one event per line, ready for Loki:
// {"ts":"…","level":"info","service":"iam-service","msg":"rpc_finished","request_id":"…",…}
// `msg` is a stable snake_case event name; variable data goes in fields. Never log PHI.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace healthtech::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void Init(std::string service, std::string_view level);
bool Enabled(Level level);
void Write(Level level, std::string_view msg, const nlohmann::json* fields);

// Per-thread request context added to every line.
struct Context {
  std::string request_id;
  std::string trace_id;
  std::string span_id;  // the current span's (trace::Activate sets both ids)
};
Context& Current();
class ScopedContext {
 public:
  ScopedContext(std::string request_id, std::string trace_id, std::string span_id = "");
  ~ScopedContext();
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;

 private:
  Context saved_;
};

void Debug(std::string_view msg);
void Info(std::string_view msg);
void Warn(std::string_view msg);
void Error(std::string_view msg);
void Debug(std::string_view msg, const nlohmann::json& fields);
void Info(std::string_view msg, const nlohmann::json& fields);
void Warn(std::string_view msg, const nlohmann::json& fields);
void Error(std::string_view msg, const nlohmann::json& fields);

}  // namespace healthtech::log
