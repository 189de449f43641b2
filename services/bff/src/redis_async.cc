#include "redis_async.h"

#include <hiredis/hiredis.h>

#include "healthtech/log/log.h"
#include "healthtech/status/status.h"

namespace healthtech::bff {
namespace {

redis::Reply Convert(const redisReply* r) {
  redis::Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = redis::Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = redis::Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = redis::Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = redis::Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = redis::Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

AsyncRedis::AsyncRedis(redis::Url url) : url_(std::move(url)) {
  thread_ = std::thread([this] { Run(); });
}

AsyncRedis::~AsyncRedis() { Stop(); }

void AsyncRedis::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

bool AsyncRedis::Connect() {
  if (ctx_ != nullptr) return true;
  timeval tv{0, 500000};
  redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
  if (c == nullptr || c->err) {
    if (c != nullptr) redisFree(c);
    return false;
  }
  redisSetTimeout(c, tv);
  if (!url_.password.empty()) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH %b", url_.password.data(), url_.password.size()));
    bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) {
      redisFree(c);
      return false;
    }
  }
  if (url_.db != 0) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "SELECT %d", url_.db));
    if (r) freeReplyObject(r);
  }
  ctx_ = c;
  return true;
}

void AsyncRedis::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      job.done(status::Unavailable("REDIS_UNAVAILABLE", "stopping"));
      return;
    }
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void AsyncRedis::Run() {
  for (;;) {
    std::vector<Job> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      while (!queue_.empty() && batch.size() < 256) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto fail_all = [&](size_t from) {
      for (size_t i = from; i < batch.size(); ++i) {
        batch[i].done(status::Unavailable("REDIS_UNAVAILABLE", "Redis is unavailable."));
      }
    };
    if (!Connect()) {
      fail_all(0);
      continue;
    }
    for (auto& job : batch) {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (auto& a : job.args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
        log::Warn("redis_connection_lost");
        redisFree(ctx_);
        ctx_ = nullptr;
        fail_all(i);
        break;
      }
      auto* r = static_cast<redisReply*>(raw);
      batch[i].done(Convert(r));
      freeReplyObject(r);
    }
  }
}

awaitable<absl::StatusOr<redis::Reply>> AsyncRedis::Command(std::vector<std::string> args) {
  using Result = absl::StatusOr<redis::Reply>;
  auto init = [this, args = std::move(args)](auto handler) mutable {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    Submit(Job{std::move(args), [h](Result r) {
                 auto ex = asio::get_associated_executor(*h);
                 asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
               }});
  };
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(Result)>(std::move(init),
                                                                                use_awaitable);
}

}  // namespace healthtech::bff
