#pragma once
// The parts of a gRPC method path, as OpenTelemetry names them (rpc.service, rpc.method);
// shared by the server and client span interceptors.
#include <string>
#include <string_view>
#include <utility>

namespace healthtech::grpc_server {

// "/pkg.Service/Method" -> ("pkg.Service", "Method").
inline std::pair<std::string, std::string> SplitMethod(std::string_view full) {
  if (!full.empty() && full[0] == '/') full.remove_prefix(1);
  auto slash = full.find('/');
  if (slash == std::string_view::npos) return {std::string(full), ""};
  return {std::string(full.substr(0, slash)), std::string(full.substr(slash + 1))};
}

}  // namespace healthtech::grpc_server
