#pragma once
// A small synchronous Redis client over hiredis for the gRPC services (which run on
// thread pools). One connection guarded by a mutex; reconnects after an error.
// Keys are service-prefixed: healthtech:<service>:<kind>:<id>.
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

struct redisContext;

namespace healthtech::redis {

struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;
  long long integer = 0;
  std::vector<Reply> elements;
};

struct Url {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
};
// Parses redis://[:password@]host[:port][/db].
absl::StatusOr<Url> ParseUrl(const std::string& url);

class Client {
 public:
  explicit Client(Url url, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs one command; an error reply is returned as a Reply of type kError.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  bool Ping();

 private:
  absl::Status EnsureConnected();
  absl::StatusOr<Reply> Run(const std::vector<std::string>& args);
  Url url_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;
};

// Consumer groups keep every consumer name they ever saw; a process that died leaves its
// name behind (its pending entries are claimed by the living with XAUTOCLAIM). This removes,
// from `group` of `stream`, the consumers other than `self` that have nothing pending and
// have not been heard from for `idle_ms`. Returns how many were removed.
int RemoveGoneConsumers(Client& client, const std::string& stream, const std::string& group,
                        const std::string& self, long long idle_ms = 60000);

}  // namespace healthtech::redis
