#pragma once
#include <map>
#include <string>

#include "channels.h"
#include "healthtech/grpc_server/server.h"

namespace healthtech::notification {

struct Config {
  grpc_server::ServerOptions server;
  std::string database_url, redis_url, iam_service_url;
  std::string internal_token, jwt_issuer, jwt_audience;
  std::string public_web_url;
  bool development = false;
  SmtpConfig smtp;
  SmsConfig sms;  // no SMS without sms.api_url
  // Development sinks that GET /v1/dev/outbox reads back (empty: not shown).
  std::string smtp_sink_url, sms_sink_url;
  // DLT template id per event type (India's SMS rules), e.g. "appointment.booked" -> "1107…".
  std::map<std::string, std::string> dlt_template_ids;
  int max_attempts = 8;
  int max_event_deliveries = 20;  // then an event that keeps failing is dead-lettered
  int sms_hourly_cap = 10;
  int breaker_failures = 5;
  int breaker_open_ms = 30000;
  // Entries a crashed replica held are taken over after this long (checked every second),
  // and a consumer silent for gone_after_ms with nothing pending leaves the group.
  int claim_idle_ms = 8000;
  int gone_after_ms = 60000;
  // Threads that turn events into messages (each a consumer of its own in the group).
  int event_consumers = 2;
  int delivery_workers = 4;

  // Reads the environment; exits non-zero on bad configuration. Starts the log.
  static Config FromEnv();
};

}  // namespace healthtech::notification
