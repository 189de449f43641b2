#pragma once
#include <string>

#include "healthtech/grpc_server/server.h"

namespace healthtech::payment {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 8;
  std::string redis_url;
  std::string iam_service_url;
  std::string appointment_service_url;
  std::string org_service_url;
  std::string internal_token;
  std::string jwt_issuer, jwt_audience;
  int gst_rate_bps = 0;  // healthcare services are exempt by default
  std::string gateway_base_url, gateway_key_id, gateway_key_secret, gateway_webhook_secret;
  std::string gateway_checkout_url;
  int sync_after_seconds = 30;
  int event_claim_idle_ms = 8000;

  static Config FromEnv();
};

}  // namespace healthtech::payment
