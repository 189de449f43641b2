#include "healthtech/log/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

namespace healthtech::log {
namespace {

std::string g_service = "healthtech";
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_mu;
thread_local Context t_context;

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // sized for any int values, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace

void Init(std::string service, std::string_view level) {
  g_service = std::move(service);
  Level l = Level::kInfo;
  if (level == "debug") l = Level::kDebug;
  if (level == "warn") l = Level::kWarn;
  if (level == "error") l = Level::kError;
  g_level = static_cast<int>(l);
  std::setvbuf(stdout, nullptr, _IOLBF, 1 << 16);
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void Write(Level level, std::string_view msg, const nlohmann::json* fields) {
  if (!Enabled(level)) return;
  nlohmann::ordered_json j;
  j["ts"] = NowRfc3339();
  j["level"] = LevelName(level);
  j["service"] = g_service;
  j["msg"] = msg;
  if (!t_context.request_id.empty()) j["request_id"] = t_context.request_id;
  if (!t_context.trace_id.empty()) j["trace_id"] = t_context.trace_id;
  if (!t_context.span_id.empty()) j["span_id"] = t_context.span_id;
  if (fields != nullptr && fields->is_object()) {
    for (auto it = fields->begin(); it != fields->end(); ++it) j[it.key()] = it.value();
  }
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

Context& Current() { return t_context; }

ScopedContext::ScopedContext(std::string request_id, std::string trace_id, std::string span_id)
    : saved_(t_context) {
  t_context.request_id = std::move(request_id);
  t_context.trace_id = std::move(trace_id);
  t_context.span_id = std::move(span_id);
}
ScopedContext::~ScopedContext() { t_context = std::move(saved_); }

void Debug(std::string_view msg) { Write(Level::kDebug, msg, nullptr); }
void Info(std::string_view msg) { Write(Level::kInfo, msg, nullptr); }
void Warn(std::string_view msg) { Write(Level::kWarn, msg, nullptr); }
void Error(std::string_view msg) { Write(Level::kError, msg, nullptr); }
void Debug(std::string_view msg, const nlohmann::json& f) { Write(Level::kDebug, msg, &f); }
void Info(std::string_view msg, const nlohmann::json& f) { Write(Level::kInfo, msg, &f); }
void Warn(std::string_view msg, const nlohmann::json& f) { Write(Level::kWarn, msg, &f); }
void Error(std::string_view msg, const nlohmann::json& f) { Write(Level::kError, msg, &f); }

}  // namespace healthtech::log
