#include "healthtech/redis/redis.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <hiredis/hiredis.h>

#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "healthtech/trace/trace.h"

namespace healthtech::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

absl::StatusOr<Url> ParseUrl(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return absl::InvalidArgumentError("must start with redis://");
  }
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = auth.find(':'); colon != std::string::npos) auth = auth.substr(colon + 1);
    u.password = auth;
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      try {
        u.db = std::stoi(db);
      } catch (...) {
        return absl::InvalidArgumentError("bad database number");
      }
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    try {
      u.port = std::stoi(rest.substr(colon + 1));
    } catch (...) {
      return absl::InvalidArgumentError("bad port");
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return absl::InvalidArgumentError("missing host");
  u.host = rest;
  return u;
}

Client::Client(Url url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

Client::~Client() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

absl::Status Client::EnsureConnected() {
  if (ctx_ != nullptr) return absl::OkStatus();
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
  if (c == nullptr || c->err) {
    if (c != nullptr) redisFree(c);
    return status::Unavailable("REDIS_UNAVAILABLE", "Redis is unavailable.");
  }
  redisSetTimeout(c, tv);
  auto run = [&](std::vector<std::string> args) -> bool {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()));
    bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r != nullptr) freeReplyObject(r);
    return ok;
  };
  if ((!url_.password.empty() && !run({"AUTH", url_.password})) ||
      (url_.db != 0 && !run({"SELECT", std::to_string(url_.db)}))) {
    redisFree(c);
    return status::Unavailable("REDIS_UNAVAILABLE", "Redis refused the connection.");
  }
  ctx_ = c;
  return absl::OkStatus();
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  // A client span in a traced request: the command's name only, never keys or values.
  std::optional<trace::Span> span;
  if (trace::Current().valid() && !args.empty()) {
    std::string op = args[0];
    std::transform(op.begin(), op.end(), op.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    span.emplace("redis " + op, trace::Kind::kClient);
    span->Set("db.system", "redis");
    span->Set("db.operation.name", op);
  }
  auto r = Run(args);
  if (span && !r.ok()) span->Error(std::string(r.status().message()));
  if (span && r.ok() && r->type == Reply::Type::kError) span->Error(r->str.substr(0, 64));
  return r;
}

absl::StatusOr<Reply> Client::Run(const std::vector<std::string>& args) {
  std::lock_guard lock(mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto s = EnsureConnected(); !s.ok()) return s;
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (r == nullptr) {
      // Connection error: drop it and retry once on a fresh connection.
      log::Warn("redis_connection_lost", {{"error", ctx_->errstr}});
      redisFree(ctx_);
      ctx_ = nullptr;
      continue;
    }
    Reply out = Convert(r);
    freeReplyObject(r);
    return out;
  }
  return status::Unavailable("REDIS_UNAVAILABLE", "Redis is unavailable.");
}

bool Client::Ping() {
  auto r = Command({"PING"});
  return r.ok() && r->type == Reply::Type::kStatus && r->str == "PONG";
}

int RemoveGoneConsumers(Client& client, const std::string& stream, const std::string& group,
                        const std::string& self, long long idle_ms) {
  auto r = client.Command({"XINFO", "CONSUMERS", stream, group});
  if (!r.ok() || r->type != Reply::Type::kArray) return 0;
  int removed = 0;
  for (const auto& c : r->elements) {
    // Each consumer: a flat list of field names and values (name, pending, idle, ...).
    std::string name;
    long long pending = -1, idle = -1;
    for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
      const std::string& k = c.elements[i].str;
      const Reply& v = c.elements[i + 1];
      if (k == "name") name = v.str;
      if (k == "pending") pending = v.integer;
      if (k == "idle") idle = v.integer;
    }
    if (name.empty() || name == self || pending != 0 || idle < idle_ms) continue;
    auto d = client.Command({"XGROUP", "DELCONSUMER", stream, group, name});
    if (d.ok() && d->type == Reply::Type::kInteger) ++removed;
  }
  return removed;
}

}  // namespace healthtech::redis
