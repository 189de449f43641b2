#pragma once
// Typed configuration from environment variables. Collects every problem, then
// Finish() prints one clear line per problem and exits non-zero.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace healthtech::config {

class EnvReader {
 public:
  // `getenv` is injectable for tests.
  explicit EnvReader(std::string service, std::function<const char*(const char*)> getenv = nullptr);

  std::string Required(const std::string& name, bool secret = false);
  std::string String(const std::string& name, const std::string& fallback, bool secret = false);
  int Int(const std::string& name, int fallback, int min, int max);
  bool Bool(const std::string& name, bool fallback);
  // Comma-separated list; empty entries dropped. `secret`: never logged (see String).
  std::vector<std::string> List(const std::string& name, const std::string& fallback,
                                bool secret = false);
  // One of `allowed`.
  std::string OneOf(const std::string& name, const std::string& fallback,
                    const std::vector<std::string>& allowed);
  void Fail(const std::string& name, const std::string& problem);

  const std::vector<std::string>& problems() const { return problems_; }
  // Values read so far, secrets redacted (for the config_loaded log line).
  const std::map<std::string, std::string>& redacted() const { return redacted_; }
  // Exits with status 2 after printing the problems, if any.
  void Finish() const;

 private:
  const char* Get(const std::string& name) const;
  void Record(const std::string& name, const std::string& value, bool secret);

  std::string service_;
  std::function<const char*(const char*)> getenv_;
  std::vector<std::string> problems_;
  std::map<std::string, std::string> redacted_;
};

}  // namespace healthtech::config
