#include "updates.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"
#include "healthtech/uhi/domain/messages.h"
#include "healthtech/validate/validate.h"

namespace healthtech::uhi {
namespace {

using nlohmann::json;
namespace d = domain;

// "2026-12-08T03:30:00Z" (an event's time) → "2026-12-08T09:00:00" (India, on the wire).
std::string WireTime(const json& payload, const char* key) {
  if (!payload.contains(key) || !payload[key].is_string()) return "";
  auto t = d::ParseTime(payload[key].get<std::string>());
  return t ? d::FormatIndiaTime(*t) : "";
}

// How far an order has gone; an update never takes it back.
int Rank(const std::string& state) {
  if (state == "INITIALIZED") return 0;
  if (state == "CONFIRMED") return 1;
  if (state == "APPOINTMENT_STARTED") return 2;
  if (state == "COMPLETED" || state == "NO_SHOW") return 3;
  return 4;  // CANCELLED, FAILED
}

}  // namespace

std::vector<std::string> UpdateEventTypes() {
  return {"appointment.started", "appointment.completed", "appointment.no_show",
          "appointment.rescheduled", "appointment.cancelled"};
}

absl::Status QueueUpdates(pg::Pool& pool, const Config& config,
                          const std::vector<events::Event>& batch, bool* queued) {
  const auto queued_in = trace::CurrentTraceparent();  // the event consumer's processing
  return pg::WithTransaction(pool, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    for (const auto& e : batch) {
      if (!validate::ValidUuid(e.aggregate_id)) continue;
      auto order_row = tx.exec_params(
          "SELECT init_context::text, last_order::text, state FROM uhi.orders "
          "WHERE id = $1::uuid AND last_order IS NOT NULL "
          "AND state NOT IN ('CANCELLED', 'FAILED') FOR UPDATE",
          e.aggregate_id);
      if (order_row.empty()) continue;  // not a UHI order, not confirmed, or over
      const std::string current = order_row[0][2].as<std::string>();
      const json payload = json::parse(e.payload, nullptr, false);
      if (!payload.is_object()) continue;
      std::string action = "on_update", state;
      json order = json::parse(order_row[0][1].as<std::string>(), nullptr, false);
      if (!order.is_object()) continue;
      json& tags = order["fulfillment"]["tags"];
      if (!tags.is_object()) tags = json::object();
      if (e.type == "appointment.started") {
        state = "APPOINTMENT_STARTED";
      } else if (e.type == "appointment.completed") {
        state = "COMPLETED";
      } else if (e.type == "appointment.no_show") {
        state = "NO_SHOW";
      } else if (e.type == "appointment.rescheduled") {
        state = order.value("state", "CONFIRMED");
        const std::string start = WireTime(payload, "start"), end = WireTime(payload, "end");
        if (start.empty() || end.empty()) continue;
        order["fulfillment"]["start"] = {{"time", {{"timestamp", start}}}};
        order["fulfillment"]["end"] = {{"time", {{"timestamp", end}}}};
        if (order["fulfillment"].contains("authorization")) {
          order["fulfillment"]["authorization"]["valid_from"] = start;
          order["fulfillment"]["authorization"]["valid_to"] = end;
        }
      } else if (e.type == "appointment.cancelled") {
        // The patient's own cancellation came through UHI and was answered (on_cancel).
        if (payload.value("cancelled_by_role", "") == "patient") continue;
        action = "on_cancel";
        state = "CANCELLED";
        tags["@abdm/gov.in/cancelledby"] = "doctor";
        tags["@abdm/gov.in/cancelReason"] = "DOCTOR_OTHER";
        tags["@abdm/gov.in/groupConsultation"] = "false";
      } else {
        continue;
      }
      // Forward only: an event redelivered late (another consumer's claim) never takes an
      // order back (COMPLETED → APPOINTMENT_STARTED); a move applies to a visit not begun.
      if (e.type == "appointment.rescheduled" ? current != "CONFIRMED"
                                              : Rank(state) <= Rank(current))
        continue;
      auto fresh = tx.exec_params(
          "INSERT INTO uhi.order_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING "
          "RETURNING gen_random_uuid()::text",
          e.id);
      if (fresh.empty()) continue;  // handled before
      order["state"] = state;
      // Where the app placed the order is where it hears of it; a new message id.
      d::ContextRules rules;
      rules.domains = config.accepted_domains;
      rules.provider_id = config.subscriber_id;
      rules.allow_plain_http = true;  // checked when the order was placed
      json init = {{"context", json::parse(order_row[0][0].as<std::string>(), nullptr, false)}};
      auto parsed = d::ParseContext(init, "init", rules);
      const auto* c = std::get_if<d::Context>(&parsed);
      if (c == nullptr) {
        log::Warn("uhi_update_unaddressable", {{"order_id", e.aggregate_id}});
        continue;
      }
      d::Context context = *c;
      context.message_id = fresh[0][0].as<std::string>();
      json callback = {
          {"context", d::CallbackContext(context, action, config.subscriber_id,
                                         config.subscriber_url, std::chrono::system_clock::now())},
          {"message", {{"order", order}}}};
      const std::string bytes = callback.dump();
      tx.exec_params(
          "UPDATE uhi.orders SET state = $2, last_order = $3::jsonb, updated_at = now() "
          "WHERE id = $1::uuid",
          e.aggregate_id, state, order.dump());
      tx.exec_params(
          "INSERT INTO uhi.callbacks (action, message_id, transaction_id, url, body, traceparent) "
          "VALUES ($1, $2, $3, $4, $5, $6)",
          action, context.message_id, context.transaction_id, context.consumer_uri + "/" + action,
          bytes, queued_in);
      if (!config.gateway_audit_url.empty()) {
        tx.exec_params(
            "INSERT INTO uhi.callbacks (action, message_id, transaction_id, url, body, "
            "traceparent) VALUES ($1, $2, $3, $4, $5, $6)",
            action + "_audit", context.message_id, context.transaction_id,
            config.gateway_audit_url + "/" + action + "_audit", bytes, queued_in);
      }
      log::Info(
          "uhi_update_queued",
          {{"order_id", e.aggregate_id}, {"action", action}, {"state", state}, {"event", e.type}});
      *queued = true;
    }
    return absl::OkStatus();
  });
}

}  // namespace healthtech::uhi
