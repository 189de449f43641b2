#pragma once
// uhi-service's settings, read once from the environment (names in config.cc).
#include <string>
#include <vector>

#include "healthtech/grpc_server/server.h"

namespace healthtech::uhi {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url;
  int db_pool_size = 6;
  std::string redis_url;  // the platform's event streams
  std::string iam_service_url;
  std::string org_service_url;
  std::string appointment_service_url;
  std::string payment_service_url;  // online consultations' payment links
  std::string internal_token;

  // Who the platform is on the network, and how it signs.
  std::string subscriber_id;
  std::string pub_key_id;
  std::string signing_private_key;  // PKCS#8 DER (or a raw seed), base64
  std::string subscriber_url;       // where the network reaches /uhi/
  std::string signing_profile = "uhi";
  bool accept_other_profile = false;
  int created_skew_seconds = 5;
  int signature_ttl_seconds = 10;  // expires = created + this, on what we sign
  std::string registry_url;        // base URL: <registry>/api/v1/networkregistry/lookup
  // Register our key with a development registry at start (POST <registry>/dev/subscribers).
  bool dev_register = false;
  // The gateways whose searches are taken (empty: any the registry lists as a gateway), and
  // where on_search goes under a gateway's subscriber_url (v2.0.2: /api/v1/uhi/on_search
  // under NHA's host; our simulator: /on_search).
  std::vector<std::string> gateway_ids;
  std::string gateway_on_search_path = "/on_search";
  std::vector<std::string> accepted_domains;
  std::string domain = "nic2004:85111";
  std::string city_code = "std:080";  // the context city of what we send unprompted
  bool allow_plain_http = false;      // http:// consumer URLs (development only)
  std::string provider_name = "HealthTech";

  // The business answers: how many practitioners an on_search lists, how far ahead a
  // second search without a window looks, and the callback queue's retries.
  int workers = 2;  // threads answering, and as many sending callbacks
  int search_limit = 50;
  int slot_days = 7;
  int callback_max_attempts = 12;
  int callback_backoff_ms = 1000;  // doubled per attempt, at most 10 minutes
  int callback_timeout_ms = 5000;
  int registry_cache_seconds = 300;

  // Orders: GST on the fee as the invoices add it (GST_RATE_BPS, the payment service's), where
  // audit copies of on_confirm/on_status/on_cancel/on_update go (<base>/on_<action>_audit;
  // NHA: https://…/api/v1/uhi; empty: none), and the helpline an order names.
  int gst_rate_bps = 0;
  std::string gateway_audit_url;
  std::string helpline_number;

  static Config FromEnv();
};

}  // namespace healthtech::uhi
