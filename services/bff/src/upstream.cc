#include "upstream.h"

#include <algorithm>

#include "healthtech/grpc_server/channel.h"

namespace healthtech::bff {
namespace {

struct CallState {
  grpc::ClientContext ctx;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  std::string method;
};

std::string Flatten(const grpc::ByteBuffer& buf) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buf.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

template <class Token>
auto AsyncUnary(grpc::GenericStub* stub, std::shared_ptr<CallState> st, Token&& token) {
  return asio::async_initiate<Token, void(grpc::Status)>(
      [stub, st](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        stub->UnaryCall(&st->ctx, st->method, grpc::StubOptions(), &st->request, &st->response,
                        [h, st](grpc::Status s) {
                          auto ex = asio::get_associated_executor(*h);
                          asio::post(ex, [h, s = std::move(s)]() mutable { (*h)(std::move(s)); });
                        });
      },
      token);
}

}  // namespace

Upstream::Upstream(std::string name, std::string target) : name_(std::move(name)) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 16 * 1024 * 1024);
  // A restarted service is used again within half a second (grpc_server/channel.h).
  grpc_server::SetReconnectBackoff(args);
  channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  stub_ = std::make_unique<grpc::GenericStub>(channel_);
}

awaitable<UnaryResult> Upstream::Call(std::string method, std::string request,
                                      std::vector<std::pair<std::string, std::string>> metadata,
                                      std::chrono::milliseconds timeout) {
  auto st = std::make_shared<CallState>();
  st->method = std::move(method);
  grpc::Slice slice(request);
  st->request = grpc::ByteBuffer(&slice, 1);
  st->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  for (auto& [k, v] : metadata) {
    // gRPC asserts (and aborts the process) on a value outside printable ASCII; the router
    // validates what it forwards, and this keeps any slip a 400 rather than a crash.
    if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c <= 0x7e; })) {
      co_return UnaryResult{grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                         "A request header is not printable ASCII."),
                            {}};
    }
    st->ctx.AddMetadata(k, v);
  }
  grpc::Status s = co_await AsyncUnary(stub_.get(), st, use_awaitable);
  UnaryResult r;
  r.status = std::move(s);
  if (r.status.ok()) r.response = Flatten(st->response);
  co_return r;
}

awaitable<bool> Upstream::Healthy(std::chrono::milliseconds timeout) {
  // HealthCheckRequest{service=""} is empty; HealthCheckResponse{status=SERVING(1)} is 08 01.
  std::string method = "/grpc.health.v1.Health/Check";
  auto r = co_await Call(std::move(method), std::string(), {}, timeout);
  co_return r.status.ok() && r.response == std::string("\x08\x01", 2);
}

}  // namespace healthtech::bff
