#pragma once
#include <string>

#include "healthtech/grpc_server/server.h"

namespace healthtech::appointment {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 8;
  std::string redis_url;
  std::string iam_service_url;
  std::string org_service_url;
  std::string internal_token;
  std::string jwt_issuer, jwt_audience;
  int hold_minutes = 15;
  int waitlist_offer_minutes = 15;
  int sweep_interval_ms = 1000;
  int free_days_interval_ms = 200;
  // A video consultation's room is this followed by a random token.
  std::string video_room_base_url;

  static Config FromEnv();
};

}  // namespace healthtech::appointment
