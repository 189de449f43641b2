#include "healthtech/grpc_server/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace healthtech::grpc_server {

void SetReconnectBackoff(grpc::ChannelArguments& args) {
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 400);
  // How long one connection attempt may take (gRPC's floor is 100 ms; default 20 s).
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  SetReconnectBackoff(args);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace healthtech::grpc_server
