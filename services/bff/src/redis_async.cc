#include "redis_async.h"

#include <hiredis/async.h>
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

using Result = absl::StatusOr<redis::Reply>;

absl::Status Down() { return status::Unavailable("REDIS_UNAVAILABLE", "Redis is unavailable."); }

}  // namespace

// One in-flight command: completed exactly once, by its reply, its timeout, or a
// disconnect; whichever comes first.
struct AsyncRedis::Pending {
  std::function<void(Result)> complete;
  std::unique_ptr<asio::steady_timer> timer;
  bool done = false;
  void Finish(Result r) {
    if (done) return;
    done = true;
    if (timer) timer->cancel();
    complete(std::move(r));
  }
};

AsyncRedis::AsyncRedis(asio::io_context& ioc, redis::Url url, std::chrono::milliseconds timeout)
    : ioc_(ioc), url_(std::move(url)), timeout_(timeout) {}

AsyncRedis::~AsyncRedis() {
  if (ac_ != nullptr) {
    redisAsyncContext* ac = ac_;
    ac->ev.data = nullptr;  // no more callbacks into this object
    Detach();
    ac_ = nullptr;
    redisAsyncFree(ac);
  }
}

void AsyncRedis::Detach() {
  ++generation_;
  want_read_ = want_write_ = read_armed_ = write_armed_ = false;
  if (sd_) {
    sd_->release();  // hiredis owns and closes the fd; cancels pending waits
    sd_.reset();
  }
}

void AsyncRedis::AddRead(void* p) {
  if (p == nullptr) return;
  auto* self = static_cast<AsyncRedis*>(p);
  self->want_read_ = true;
  self->ArmRead();
}
void AsyncRedis::DelRead(void* p) {
  if (p != nullptr) static_cast<AsyncRedis*>(p)->want_read_ = false;
}
void AsyncRedis::AddWrite(void* p) {
  if (p == nullptr) return;
  auto* self = static_cast<AsyncRedis*>(p);
  self->want_write_ = true;
  self->ArmWrite();
}
void AsyncRedis::DelWrite(void* p) {
  if (p != nullptr) static_cast<AsyncRedis*>(p)->want_write_ = false;
}
void AsyncRedis::Cleanup(void* p) {
  if (p != nullptr) static_cast<AsyncRedis*>(p)->Detach();
}

void AsyncRedis::ArmRead() {
  if (ac_ == nullptr || !sd_ || !want_read_ || read_armed_) return;
  read_armed_ = true;
  sd_->async_wait(asio::posix::stream_descriptor::wait_read,
                  [this, gen = generation_](const boost::system::error_code& ec) {
                    if (gen != generation_) return;  // a previous connection's wait
                    read_armed_ = false;
                    if (ec || ac_ == nullptr) return;
                    redisAsyncHandleRead(ac_);  // may disconnect (ac_ becomes null)
                    if (gen == generation_) ArmRead();
                  });
}

void AsyncRedis::ArmWrite() {
  if (ac_ == nullptr || !sd_ || !want_write_ || write_armed_) return;
  write_armed_ = true;
  sd_->async_wait(asio::posix::stream_descriptor::wait_write,
                  [this, gen = generation_](const boost::system::error_code& ec) {
                    if (gen != generation_) return;
                    write_armed_ = false;
                    if (ec || ac_ == nullptr) return;
                    redisAsyncHandleWrite(ac_);
                    if (gen == generation_) ArmWrite();
                  });
}

void AsyncRedis::OnConnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<AsyncRedis*>(ac->ev.data);
  if (status != REDIS_OK && self != nullptr) {
    log::Warn("redis_connect_failed", {{"error", ac->errstr}});
    // hiredis frees the context after this callback; Cleanup detaches us.
    self->ac_ = nullptr;
  }
}

void AsyncRedis::OnDisconnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<AsyncRedis*>(ac->ev.data);
  if (self == nullptr) return;
  if (status != REDIS_OK) log::Warn("redis_connection_lost", {{"error", ac->errstr}});
  self->ac_ = nullptr;
}

bool AsyncRedis::EnsureConnected() {
  if (ac_ != nullptr) return true;
  auto now = std::chrono::steady_clock::now();
  if (now < next_connect_) return false;
  next_connect_ = now + std::chrono::milliseconds(500);
  redisAsyncContext* ac = redisAsyncConnect(url_.host.c_str(), url_.port);
  if (ac == nullptr) return false;
  if (ac->err) {
    redisAsyncFree(ac);
    return false;
  }
  ac_ = ac;
  ++generation_;
  sd_ = std::make_unique<asio::posix::stream_descriptor>(ioc_, ac->c.fd);
  ac->ev.data = this;
  ac->ev.addRead = &AddRead;
  ac->ev.delRead = &DelRead;
  ac->ev.addWrite = &AddWrite;
  ac->ev.delWrite = &DelWrite;
  ac->ev.cleanup = &Cleanup;
  redisAsyncSetConnectCallback(ac, &OnConnect);  // arms the first write event
  redisAsyncSetDisconnectCallback(ac, &OnDisconnect);
  auto setup = [&](std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAsyncCommandArgv(ac, nullptr, nullptr, static_cast<int>(argv.size()), argv.data(),
                          lens.data());
  };
  if (!url_.password.empty()) setup({"AUTH", url_.password});
  if (url_.db != 0) setup({"SELECT", std::to_string(url_.db)});
  return ac_ != nullptr;
}

void AsyncRedis::OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<Pending>> holder(
      static_cast<std::shared_ptr<Pending>*>(privdata));
  auto* r = static_cast<redisReply*>(reply);
  Result result = r == nullptr ? Result(Down()) : Result(Convert(r));
  (*holder)->Finish(std::move(result));
}

awaitable<absl::StatusOr<redis::Reply>> AsyncRedis::Command(std::vector<std::string> args) {
  auto init = [this, args = std::move(args)](auto handler) mutable {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto pending = std::make_shared<Pending>();
    // Complete through post(): never resume the coroutine from inside a hiredis callback.
    pending->complete = [h, this](Result r) {
      asio::post(ioc_, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
    };
    if (!EnsureConnected()) {
      pending->Finish(Down());
      return;
    }
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* holder = new std::shared_ptr<Pending>(pending);
    if (redisAsyncCommandArgv(ac_, &OnReply, holder, static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      delete holder;
      pending->Finish(Down());
      return;
    }
    pending->timer = std::make_unique<asio::steady_timer>(ioc_, timeout_);
    pending->timer->async_wait(
        [this, pending, gen = generation_](const boost::system::error_code& ec) {
          if (ec || pending->done) return;
          pending->Finish(status::Unavailable("REDIS_TIMEOUT", "Redis did not answer in time."));
          // A connection that stopped answering is dropped; the next command reconnects.
          if (gen == generation_ && ac_ != nullptr) {
            // redisAsyncDisconnect would wait for the missing replies: free it outright
            // (pending commands complete as unavailable).
            log::Warn("redis_timeout_reconnect");
            redisAsyncContext* ac = ac_;
            ac_ = nullptr;
            redisAsyncFree(ac);
          }
        });
  };
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(Result)>(std::move(init),
                                                                                 use_awaitable);
}

}  // namespace healthtech::bff
