#include "worker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"
#include "healthtech/uhi/domain/messages.h"
#include "http_client.h"

namespace healthtech::uhi {
namespace {

using nlohmann::json;
namespace d = domain;
using Tx = pqxx::transaction_base;

// A message whose answer could not be worked out (a service it needs was down) is tried
// again this many times, then answered with an error.
constexpr int kAnswerAttempts = 5;

}  // namespace

Worker::Worker(const Config& config, pg::Pool* pool, Answers* answers, const SigningKey* key,
               metrics::Registry* registry, Wakeup* queued)
    : config_(config),
      pool_(pool),
      answers_(answers),
      key_(key),
      profile_(ParseProfile(config.signing_profile).value_or(Profile::kUhi)),
      callbacks_(&registry->AddCounter(
          "uhi_callbacks_total", "Callback attempts to UHI participants, by outcome", {"outcome"})),
      queued_(queued) {}

// Claimed in one transaction (the attempt counted and the row leased for a minute, so a
// message that crashes its answer cannot be taken again and again at once), answered with
// no transaction open (it waits on other services), then recorded with its callback in a
// second one, only if no other worker recorded it meanwhile.
bool Worker::AnswerOnce() {
  struct Claimed {
    int64_t id = 0;
    std::string action, body, url, sender;
    int attempts = 0;
    std::string traceparent;  // of the request that delivered it, or ""
  };
  std::optional<Claimed> job;
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) -> absl::Status {
    auto r = tx.exec(
        "UPDATE uhi.messages SET attempts = attempts + 1, not_before = now() + interval '60 s' "
        "WHERE id = (SELECT id FROM uhi.messages WHERE processed_at IS NULL "
        "AND not_before <= now() ORDER BY not_before, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, action, body::text, callback_url, attempts, sender_id, "
        "coalesce(traceparent, '')");
    if (r.empty()) return absl::OkStatus();
    job = Claimed{r[0][0].as<int64_t>(),     r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                  r[0][3].as<std::string>(), r[0][5].as<std::string>(), r[0][4].as<int>(),
                  r[0][6].as<std::string>()};
    return absl::OkStatus();
  });
  if (!s.ok() || !job) {
    if (!s.ok()) log::Warn("uhi_answer_claim_failed", {{"error", std::string(s.message())}});
    return false;
  }

  // Answering is a span of its own, linked to the request that delivered the message; the
  // calls and transactions it makes go under it, and so does the callback it queues.
  auto span =
      trace::FollowsFrom("process uhi " + job->action, trace::Kind::kConsumer, job->traceparent);
  std::optional<trace::Activate> current;
  if (span) {
    span->Set("uhi.action", job->action);
    span->Set("uhi.attempt", job->attempts);
    current.emplace(span->context());
  }
  const auto answered_in = trace::CurrentTraceparent();
  const json body = json::parse(job->body, nullptr, false);
  d::ContextRules rules;
  rules.domains = config_.accepted_domains;
  rules.provider_id = config_.subscriber_id;
  rules.allow_plain_http = true;  // checked when it was received
  auto context = d::ParseContext(body, job->action, rules);
  std::optional<d::Context> c;
  if (const auto* parsed = std::get_if<d::Context>(&context)) c = *parsed;
  Outcome outcome;
  bool retry = false;
  if (!c) {
    outcome.send = false;  // cannot happen: checked on receipt
  } else if (body.contains("message") && body["message"].is_object()) {
    const json& message = body["message"];
    const Sender sender{job->sender, &*c};
    absl::StatusOr<Outcome> answer = Outcome{};
    bool answerable = true;
    try {
      if (job->action == "search") {
        auto intent = d::ParseSearchIntent(message, *c);
        if (const auto* i = std::get_if<d::SearchIntent>(&intent))
          answer = answers_->Search(*i, "uhi-" + c->message_id);
        else
          answerable = false;
      } else if (job->action == "init") {
        auto order = d::ParseInit(message);
        if (const auto* o = std::get_if<d::InitOrder>(&order))
          answer = answers_->Init(*o, sender, message["order"], body["context"]);
        else
          answerable = false;
      } else if (job->action == "confirm" || job->action == "status") {
        auto id = d::ParseOrderId(message, job->action == "confirm");
        if (const auto* i = std::get_if<std::string>(&id))
          answer = job->action == "confirm" ? answers_->Confirm(*i, sender)
                                            : answers_->Status(*i, sender);
        else
          answerable = false;
      } else if (job->action == "cancel") {
        auto cancel = d::ParseCancel(message);
        if (const auto* x = std::get_if<d::CancelOrder>(&cancel))
          answer = answers_->Cancel(*x, sender);
        else
          answerable = false;
      } else {
        answerable = false;  // on_update from an app: recorded, nothing to answer
      }
    } catch (const std::exception& e) {
      answer = absl::InternalError(e.what());
    }
    if (!answerable) {
      outcome.send = false;
    } else if (answer.ok()) {
      outcome = std::move(*answer);
    } else if (job->attempts < kAnswerAttempts) {
      retry = true;
      log::Warn("uhi_answer_deferred", {{"message_id", c->message_id},
                                        {"action", job->action},
                                        {"attempt", job->attempts},
                                        {"error", std::string(answer.status().message())}});
    } else {
      outcome.error = json{{"type", "CORE-ERROR"},
                           {"code", std::string(d::kInternalError)},
                           {"message", "The HSPA could not answer; send it again later."}};
    }
  } else {
    outcome.send = false;
  }

  bool queued = false;
  s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) -> absl::Status {
    queued = false;
    if (retry) {
      // Again after 2, 4, 8 … seconds.
      tx.exec_params(
          "UPDATE uhi.messages SET not_before = now() + make_interval(secs => $2) "
          "WHERE id = $1 AND processed_at IS NULL",
          job->id, 1 << std::min(job->attempts, 10));
      return absl::OkStatus();
    }
    auto done = tx.exec_params(
        "UPDATE uhi.messages SET processed_at = now() WHERE id = $1 AND processed_at IS NULL "
        "RETURNING id",
        job->id);
    if (done.empty()) return absl::OkStatus();  // another worker recorded it
    for (const auto& o : outcome.offered) {
      tx.exec_params(
          "INSERT INTO uhi.offered_slots (id, practitioner_id, facility_id, starts_at, ends_at, "
          "mode) VALUES ($1::uuid, $2::uuid, $3::uuid, to_timestamp($4), to_timestamp($5), $6) "
          "ON CONFLICT (id) DO UPDATE SET offered_at = now()",
          o.id, o.practitioner_id, o.facility_id, o.start, o.end, o.mode);
    }
    if (outcome.send && c) {
      json callback{
          {"context", d::CallbackContext(*c, "on_" + job->action, config_.subscriber_id,
                                         config_.subscriber_url, std::chrono::system_clock::now())},
          {"message", outcome.message}};
      if (outcome.error) callback["error"] = *outcome.error;
      const std::string bytes = callback.dump();
      tx.exec_params(
          "INSERT INTO uhi.callbacks (message_row, action, message_id, transaction_id, url, body, "
          "traceparent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          job->id, "on_" + job->action, c->message_id, c->transaction_id, job->url, bytes,
          answered_in);
      if (outcome.audit && !config_.gateway_audit_url.empty()) {
        // The network's copy of what the patient was told (WIRE.md §3.2).
        tx.exec_params(
            "INSERT INTO uhi.callbacks (message_row, action, message_id, transaction_id, url, "
            "body, traceparent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            job->id, "on_" + job->action + "_audit", c->message_id, c->transaction_id,
            config_.gateway_audit_url + "/on_" + job->action + "_audit", bytes, answered_in);
      }
      queued = true;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    // Left claimed: taken again when its lease (not_before) lapses.
    log::Warn("uhi_answer_failed", {{"error", std::string(s.message())}});
    if (span) span->Error("not recorded");
    return false;
  }
  if (span && retry) span->Error("answer deferred");
  if (span && outcome.error) span->Error("answered with an error");
  if (!retry) {
    log::Info("uhi_answered", {{"action", job->action},
                               {"message_id", c ? c->message_id : ""},
                               {"callback", queued},
                               {"error", outcome.error ? outcome.error->dump() : ""}});
  }
  if (queued) queued_->Notify();
  return true;
}

bool Worker::DeliverOnce() {
  struct Claimed {
    int64_t id = 0;
    std::string url, body, action, message_id;
    int attempts = 0;
    std::string traceparent;  // of the work that queued it, or ""
  };
  std::optional<Claimed> job;
  const int lease_seconds = config_.callback_timeout_ms / 1000 + 30;
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) -> absl::Status {
    auto r = tx.exec_params(
        "UPDATE uhi.callbacks SET leased_until = now() + make_interval(secs => $1), "
        "attempts = attempts + 1 WHERE id = (SELECT id FROM uhi.callbacks "
        "WHERE state = 'pending' AND next_attempt_at <= now() "
        "AND (leased_until IS NULL OR leased_until < now()) "
        "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, url, body, attempts, action, message_id, coalesce(traceparent, '')",
        lease_seconds);
    if (r.empty()) return absl::OkStatus();
    job = Claimed{r[0][0].as<int64_t>(),     r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                  r[0][4].as<std::string>(), r[0][5].as<std::string>(), r[0][3].as<int>(),
                  r[0][6].as<std::string>()};
    return absl::OkStatus();
  });
  if (!s.ok() || !job) return false;

  // Each attempt is a span linked to the work that queued the callback (no trace context goes
  // to the participant: it is not ours to continue).
  auto span = trace::FollowsFrom("send " + job->action, trace::Kind::kClient, job->traceparent);
  std::optional<trace::Activate> current;
  if (span) {
    span->Set("uhi.action", job->action);
    span->Set("uhi.attempt", job->attempts);
    current.emplace(span->context());
  }
  HttpResult r =
      PostSigned(job->url, job->body, config_, profile_, *key_, config_.callback_timeout_ms);
  // Acknowledged: a 2xx whose body is not a NACK. Refused for good: a NACK, or a 4xx other
  // than a signature (401: perhaps our clock), a timeout or a rate limit. Else: again later.
  std::string outcome;
  std::string error;
  if (r.status >= 200 && r.status < 300) {
    auto ack = json::parse(r.body, nullptr, false);
    const json* status = nullptr;
    if (ack.is_object() && ack.contains("message") && ack["message"].is_object() &&
        ack["message"].contains("ack") && ack["message"]["ack"].is_object() &&
        ack["message"]["ack"].contains("status"))
      status = &ack["message"]["ack"]["status"];
    if (status != nullptr && *status == "NACK") {
      outcome = "nacked";
      error = r.body.substr(0, 500);
    } else {
      outcome = "delivered";
    }
  } else if (r.status >= 400 && r.status < 500 && r.status != 401 && r.status != 408 &&
             r.status != 429) {
    outcome = "refused";
    error = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 400);
  } else {
    outcome = job->attempts >= config_.callback_max_attempts ? "failed" : "retry";
    error = r.status == 0 ? r.error : "HTTP " + std::to_string(r.status);
  }
  // Backoff: base × 2^(attempt−1) with ±20 % jitter.
  thread_local std::mt19937 rng{std::random_device{}()};
  double backoff = config_.callback_backoff_ms * std::pow(2.0, std::min(job->attempts - 1, 20)) *
                   std::uniform_real_distribution<double>(0.8, 1.2)(rng);
  backoff = std::min(600000.0, backoff);  // at most 10 minutes, jitter included
  absl::Status saved =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) -> absl::Status {
        const char* state = outcome == "delivered" ? "delivered"
                            : outcome == "retry"   ? "pending"
                                                   : "failed";
        tx.exec_params(
            "UPDATE uhi.callbacks SET state = $2, leased_until = NULL, last_status = $3, "
            "last_error = NULLIF($4, ''), "
            "delivered_at = CASE WHEN $2 = 'delivered' THEN now() END, "
            "next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1",
            job->id, state, static_cast<int>(r.status), error, backoff / 1000.0);
        return absl::OkStatus();
      });
  callbacks_->WithLabels({outcome}).Inc();
  if (span) {
    span->Set("uhi.outcome", outcome);
    if (r.status != 0) span->Set("http.response.status_code", static_cast<int>(r.status));
    if (outcome != "delivered") span->Error(outcome);
  }
  log::Info("uhi_callback", {{"action", job->action},
                             {"message_id", job->message_id},
                             {"attempt", job->attempts},
                             {"outcome", outcome},
                             {"status", static_cast<int>(r.status)},
                             {"error", error}});
  if (!saved.ok()) log::Warn("uhi_callback_not_saved", {{"error", std::string(saved.message())}});
  return true;
}

}  // namespace healthtech::uhi
