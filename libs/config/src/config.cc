#include "healthtech/config/config.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace healthtech::config {

EnvReader::EnvReader(std::string service, std::function<const char*(const char*)> getenv)
    : service_(std::move(service)), getenv_(std::move(getenv)) {
  if (!getenv_) getenv_ = [](const char* n) { return std::getenv(n); };
}

const char* EnvReader::Get(const std::string& name) const {
  const char* v = getenv_(name.c_str());
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

void EnvReader::Record(const std::string& name, const std::string& value, bool secret) {
  redacted_[name] = secret ? (value.empty() ? "" : "<redacted>") : value;
}

void EnvReader::Fail(const std::string& name, const std::string& problem) {
  problems_.push_back(name + ": " + problem);
}

std::string EnvReader::Required(const std::string& name, bool secret) {
  const char* v = Get(name);
  if (v == nullptr) {
    Fail(name, "required but not set");
    return {};
  }
  Record(name, v, secret);
  return v;
}

std::string EnvReader::String(const std::string& name, const std::string& fallback, bool secret) {
  const char* v = Get(name);
  std::string value = v ? v : fallback;
  Record(name, value, secret);
  return value;
}

int EnvReader::Int(const std::string& name, int fallback, int min, int max) {
  const char* v = Get(name);
  if (v == nullptr) {
    Record(name, std::to_string(fallback), false);
    return fallback;
  }
  std::string s(v);
  int out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    Fail(name, "must be an integer, got \"" + s + "\"");
    return fallback;
  }
  if (out < min || out > max) {
    Fail(name,
         "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + s);
    return fallback;
  }
  Record(name, s, false);
  return out;
}

bool EnvReader::Bool(const std::string& name, bool fallback) {
  const char* v = Get(name);
  if (v == nullptr) {
    Record(name, fallback ? "true" : "false", false);
    return fallback;
  }
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "1" || s == "true" || s == "yes" || s == "on") {
    Record(name, "true", false);
    return true;
  }
  if (s == "0" || s == "false" || s == "no" || s == "off") {
    Record(name, "false", false);
    return false;
  }
  Fail(name, "must be true or false, got \"" + std::string(v) + "\"");
  return fallback;
}

std::vector<std::string> EnvReader::List(const std::string& name, const std::string& fallback,
                                         bool secret) {
  std::string s = String(name, fallback, secret);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::string EnvReader::OneOf(const std::string& name, const std::string& fallback,
                             const std::vector<std::string>& allowed) {
  std::string v = String(name, fallback);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    Fail(name, "must be one of " + list + ", got \"" + v + "\"");
  }
  return v;
}

void EnvReader::Finish() const {
  if (problems_.empty()) return;
  for (const auto& p : problems_) {
    std::fprintf(stderr, "%s: configuration error: %s\n", service_.c_str(), p.c_str());
  }
  std::exit(2);
}

}  // namespace healthtech::config
