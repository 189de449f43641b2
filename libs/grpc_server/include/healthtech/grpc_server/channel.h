#pragma once
// Client channels between platform services. gRPC's default reconnect backoff grows to two
// minutes (1 s, 1.6 s, ... 120 s), so a service restarted after a crash stayed unreachable
// for seconds after it listened again; platform channels retry every 100–400 ms instead
// (±20 % jitter), so a restarted peer is used again within half a second.
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

namespace healthtech::grpc_server {

void SetReconnectBackoff(grpc::ChannelArguments& args);

// An insecure channel (in-cluster traffic) to `target` with the backoff above.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

}  // namespace healthtech::grpc_server
