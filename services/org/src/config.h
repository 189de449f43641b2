#pragma once
#include <string>

#include "healthtech/grpc_server/server.h"

namespace healthtech::org {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 8;
  std::string redis_url;
  std::string iam_service_url;
  std::string internal_token;
  std::string jwt_issuer, jwt_audience;
  std::string public_web_url;
  int invitation_ttl_days = 7;
  // How often search's read model refreshes next free days that time made stale.
  int sweep_interval_ms = 30000;
  // How long search's facets (counts of every match) may be served before they are counted
  // again (0: counted on every request).
  int search_facets_ttl_ms = 30000;

  static Config FromEnv();
};

}  // namespace healthtech::org
