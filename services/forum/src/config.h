#pragma once
#include <string>

#include "healthtech/grpc_server/server.h"

namespace healthtech::forum {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 8;
  std::string redis_url;
  std::string iam_service_url;
  std::string org_service_url;
  std::string appointment_service_url;
  std::string internal_token;
  std::string jwt_issuer, jwt_audience;
  // Sum of flag weights that hides a post pending review.
  int flag_hide_threshold = 3;
  // Approved posts needed for the basic and regular trust levels.
  int trust_basic_posts = 3;
  int trust_regular_posts = 20;
  // How long after posting its author may edit a post.
  int edit_window_seconds = 86400;

  static Config FromEnv();
};

}  // namespace healthtech::forum
