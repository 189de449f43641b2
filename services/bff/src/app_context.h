#pragma once
// What App knows of one request from its start to its response (app.cc, pipeline.cc).
#include <chrono>
#include <string>

#include "app.h"

namespace healthtech::bff {

struct App::Ctx {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string request_id;
  std::string trace_id;
  std::string traceparent;  // forwarded downstream
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
