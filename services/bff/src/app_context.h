#pragma once
// What App knows of one request from its start to its response (app.cc, pipeline.cc).
#include <chrono>
#include <string>

#include "app.h"
#include "healthtech/trace/trace.h"

namespace healthtech::bff {

struct App::Ctx {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string request_id;
  trace::Span span;      // the request's server span (Handle starts it, Finish ends it)
  std::string trace_id;  // its trace id, for log lines
  std::string route = "unmatched";
  std::string method;
  std::string origin;
  std::string client_ip;
  unsigned version = 11;
  bool keep_alive = true;
  const RateDecision* rate = nullptr;
  RateDecision rate_storage;
};

}  // namespace healthtech::bff
