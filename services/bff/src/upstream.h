#pragma once
// Non-blocking gRPC calls from the event loop: a generic unary call (serialized bytes
// in and out, so one code path serves every route) whose completion is posted back to
// the calling coroutine's executor.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "asio.h"

namespace healthtech::bff {

struct UnaryResult {
  grpc::Status status;
  std::string response;  // serialized response message
};

class Upstream {
 public:
  Upstream(std::string name, std::string target);
  const std::string& name() const { return name_; }
  // method: "/healthtech.iam.v1.IamService/Login".
  awaitable<UnaryResult> Call(std::string method, std::string request,
                              std::vector<std::pair<std::string, std::string>> metadata,
                              std::chrono::milliseconds timeout);
  // grpc.health.v1.Health/Check for service "" (true when SERVING).
  awaitable<bool> Healthy(std::chrono::milliseconds timeout);

 private:
  std::string name_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

}  // namespace healthtech::bff
