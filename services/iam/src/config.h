#pragma once
#include <string>

#include "healthtech/grpc_server/server.h"
#include "healthtech/iam/domain/crypto.h"

namespace healthtech::iam {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 8;
  std::string redis_url;
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string key_encryption_key;  // 32 raw bytes
  std::string public_web_url;      // links in emails
  Argon2Params argon2;
  int access_token_ttl_seconds = 900;
  int refresh_token_ttl_days = 30;
  int login_failures_per_account = 10;
  int login_failures_per_ip = 100;
  int login_failure_window_seconds = 900;
  bool development = false;
  // Shared secret other services present (metadata x-internal-token) for internal RPCs.
  std::string internal_token;

  static Config FromEnv();
};

}  // namespace healthtech::iam
