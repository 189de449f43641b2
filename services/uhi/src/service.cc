#include "service.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <nlohmann/json.hpp>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"
#include "healthtech/uhi/domain/discovery.h"
#include "healthtech/uhi/domain/messages.h"
#include "healthtech/uhi/domain/orders.h"

namespace healthtech::uhi {
namespace {

using domain::Nack;
using nlohmann::json;

const std::set<std::string, std::less<>> kActions = {"search", "init",      "confirm", "status",
                                                     "cancel", "on_update", "message", "select"};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// UHI signs for 10 s and BECKN-006 examples for an hour: no signature lives longer.
constexpr int64_t kMaxSignatureLifetime = 3600;

// An absolute http(s) URL without spaces to post callbacks under (http only in development).
bool CallbackBase(const std::string& url, bool allow_plain_http) {
  if (url.empty() || url.size() > 2000) return false;
  if (url.find_first_of(" \t\r\n\"<>\\^`{|}") != std::string::npos) return false;
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !(http && allow_plain_http)) return false;
  return url.size() > (https ? 8u : 7u);
}

void Answer(v1::ReceiveResponse* resp, const Nack& nack) {
  resp->set_http_status(nack.http_status);
  resp->set_body(domain::NackBody(nack));
  resp->set_content_type("application/json");
}

}  // namespace

void Wakeup::Notify() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

void Wakeup::Wait(int ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return pending_; });
  pending_ = false;
}

UhiServiceImpl::UhiServiceImpl(const Config& config, pg::Pool* pool, Registry* registry,
                               const SigningKey* key, Wakeup* wakeup)
    : config_(config), pool_(pool), registry_(registry), key_(key), wakeup_(wakeup) {}

grpc::Status UhiServiceImpl::GetSubscriber(Ctx* ctx, const v1::GetSubscriberRequest*,
                                           v1::Subscriber* resp) {
  return grpc_server::Serve(ctx, [&](const grpc_server::RpcScope&) -> absl::Status {
    resp->set_subscriber_id(config_.subscriber_id);
    resp->set_pub_key_id(config_.pub_key_id);
    resp->set_signing_public_key(key_->PublicSpkiBase64());
    resp->set_subscriber_url(config_.subscriber_url);
    resp->set_signing_profile(config_.signing_profile);
    resp->set_domain(config_.domain);
    resp->set_type("HSPA");
    return absl::OkStatus();
  });
}

// Every refusal is the network's NACK with the status the network expects (WIRE.md §2.3,
// §3.6): 401 for a signature, 400 for a message, 503 when the registry or the database
// cannot be reached (try again). Nothing is recorded unless the message is acknowledged.
grpc::Status UhiServiceImpl::Receive(Ctx* ctx, const v1::ReceiveRequest* req,
                                     v1::ReceiveResponse* resp) {
  return grpc_server::Serve(ctx, [&](const grpc_server::RpcScope&) -> absl::Status {
    const std::string& action = req->action();
    if (kActions.count(action) == 0) {
      Answer(resp, {"CONTEXT-ERROR", std::string(domain::kInvalidRequest), "context.action",
                    "This endpoint is not one an HSPA serves.", 404});
      return absl::OkStatus();
    }
    // 1. Who signed. The gateway signs what it forwards (a first search) with
    //    X-Gateway-Authorization; a patient's app signs its own calls with Authorization.
    const bool via_gateway =
        !req->gateway_authorization().empty() || !req->proxy_authorization().empty();
    const std::string header_name = !req->gateway_authorization().empty()
                                        ? "X-Gateway-Authorization"
                                    : via_gateway ? "Proxy-Authorization"
                                                  : "Authorization";
    auto unauthorized = [&](std::string_view code, std::string message) {
      Answer(resp, {"", std::string(code), header_name, std::move(message), 401});
      std::string challenge = "Signature realm=\"" + config_.subscriber_id +
                              "\",headers=\"(created) (expires) digest\"";
      if (via_gateway)
        resp->set_proxy_authenticate(challenge);
      else
        resp->set_www_authenticate(challenge);
      log::Info("uhi_signature_refused", {{"action", action},
                                          {"header", header_name},
                                          {"code", std::string(code)},
                                          {"why", resp->body()}});
      return absl::OkStatus();
    };
    const std::string& header_value = !req->gateway_authorization().empty()
                                          ? req->gateway_authorization()
                                      : via_gateway ? req->proxy_authorization()
                                                    : req->authorization();
    if (header_value.empty()) {
      return unauthorized(domain::kAuthHeaderMissing, "The message is not signed.");
    }
    auto header = ParseSignatureHeader(header_value);
    if (!header.ok()) {
      return unauthorized(domain::kInvalidSignature,
                          "INVALID SIGNATURE: " + std::string(header.status().message()));
    }
    if (via_gateway && action != "search") {
      Answer(resp, {"POLICY-ERROR", std::string(domain::kInvalidRequest), "context.action",
                    "The gateway forwards searches only; call the HSPA directly.", 400});
      return absl::OkStatus();
    }
    // What can be refused without asking the registry is refused first.
    const int64_t now = NowSeconds();
    if (header->algorithm != "ed25519" || header->key_algorithm != "ed25519") {
      return unauthorized(domain::kInvalidSignature, "INVALID SIGNATURE: algorithm is not ed25519");
    }
    if (header->created > now + config_.created_skew_seconds || now > header->expires) {
      return unauthorized(domain::kInvalidSignature,
                          "INVALID SIGNATURE: the signature is expired or not yet valid");
    }
    if (header->expires - header->created > kMaxSignatureLifetime) {
      return unauthorized(domain::kInvalidSignature,
                          "INVALID SIGNATURE: expires is more than an hour after created");
    }
    if (via_gateway && !config_.gateway_ids.empty() &&
        std::find(config_.gateway_ids.begin(), config_.gateway_ids.end(), header->subscriber_id) ==
            config_.gateway_ids.end()) {
      return unauthorized(domain::kNotRegistered, "The signer is not a gateway this HSPA trusts.");
    }
    auto signer = registry_->Lookup(header->subscriber_id, header->pub_key_id,
                                    via_gateway ? "GATEWAY" : "EUA");
    if (absl::IsNotFound(signer.status())) {
      return unauthorized(domain::kNotRegistered,
                          "The subscriber and key in keyId are not registered.");
    }
    if (!signer.ok()) {
      Answer(resp, {"CORE-ERROR", std::string(domain::kLookupFailed), "",
                    "The network registry cannot be reached; try again.", 503});
      return absl::OkStatus();
    }
    VerifyOptions options;
    options.now = now;
    options.created_skew = config_.created_skew_seconds;
    options.accept_other_profile = config_.accept_other_profile;
    if (auto verified = Verify(*header, signer->key, req->body(), options); !verified.ok()) {
      return unauthorized(domain::kInvalidSignature,
                          "INVALID SIGNATURE: " + std::string(verified.message()));
    }

    // 2. What it says.
    if (domain::NestedTooDeep(req->body())) {
      Answer(resp, {"JSON-SCHEMA-ERROR", std::string(domain::kInvalidJson), "",
                    "The body nests deeper than a Beckn message does.", 400});
      return absl::OkStatus();
    }
    json body = json::parse(req->body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      Answer(resp, {"JSON-SCHEMA-ERROR", std::string(domain::kInvalidJson), "",
                    "The body is not a JSON object.", 400});
      return absl::OkStatus();
    }
    domain::ContextRules rules;
    rules.domains = config_.accepted_domains;
    rules.provider_id = config_.subscriber_id;
    rules.allow_plain_http = config_.allow_plain_http;
    auto context = domain::ParseContext(body, action, rules);
    if (const Nack* nack = std::get_if<Nack>(&context)) {
      Answer(resp, *nack);
      return absl::OkStatus();
    }
    const domain::Context& c = std::get<domain::Context>(context);
    // A participant speaks for itself only, and its answers go to the URL it registered
    // (never to a URL a message names: that would make us post wherever we are told).
    if (!CallbackBase(signer->subscriber_url, config_.allow_plain_http)) {
      Answer(resp, {"CONTEXT-ERROR", "UHI-1412", via_gateway ? "" : "context.consumer_uri",
                    "The signer registered no URL this HSPA can answer at.", 400});
      return absl::OkStatus();
    }
    std::string callback_url;
    if (via_gateway) {
      callback_url = signer->subscriber_url + config_.gateway_on_search_path;
    } else {
      if (c.consumer_id != header->subscriber_id) {
        Answer(resp, {"CONTEXT-ERROR", "UHI-1412", "context.consumer_id",
                      "The consumer is not the subscriber that signed the message.", 400});
        return absl::OkStatus();
      }
      if (c.consumer_uri != signer->subscriber_url) {
        Answer(resp, {"CONTEXT-ERROR", "UHI-1412", "context.consumer_uri",
                      "The consumer_uri is not the URL the consumer registered.", 400});
        return absl::OkStatus();
      }
      callback_url = c.consumer_uri + "/on_" + action;
    }
    if (action == "select") {
      Answer(resp, {"DOMAIN-ERROR", std::string(domain::kInvalidRequest), "context.action",
                    "select is not used for doctor consultations: search, then init.", 400});
      return absl::OkStatus();
    }
    if (action == "message") {
      Answer(resp, {"DOMAIN-ERROR", std::string(domain::kInvalidRequest), "context.action",
                    "Chat through UHI is not offered by this HSPA.", 400});
      return absl::OkStatus();
    }
    if (!body.contains("message") || !body["message"].is_object()) {
      Answer(resp, {"JSON-SCHEMA-ERROR", std::string(domain::kInvalidRequest), "message",
                    "message is required", 400});
      return absl::OkStatus();
    }
    // What the answer needs is there (the worker reads it again the same way).
    const json& message = body["message"];
    std::optional<Nack> refused;
    auto check = [&](const auto& parsed) {
      if (const Nack* nack = std::get_if<Nack>(&parsed)) refused = *nack;
    };
    if (action == "search") {
      check(domain::ParseSearchIntent(message, c));
    } else if (action == "init") {
      check(domain::ParseInit(message));
    } else if (action == "confirm" || action == "status") {
      check(domain::ParseOrderId(message, action == "confirm"));
    } else if (action == "cancel") {
      check(domain::ParseCancel(message));
    }
    if (refused) {
      Answer(resp, *refused);
      return absl::OkStatus();
    }
    std::string stored = body.dump();
    if (stored.find("\\u0000") != std::string::npos) {
      Answer(resp, {"JSON-SCHEMA-ERROR", std::string(domain::kInvalidJson), "",
                    "The body holds a NUL character.", 400});
      return absl::OkStatus();
    }

    // 3. Recorded once: the same message again (a sender's retry) is acknowledged and not
    //    acted on twice; another message under a used id is refused.
    // Compared as parsed (keys sorted, whitespace gone): a sender that re-serialises its retry
    // sends the same message.
    const std::string digest = DigestBase64(stored);
    bool fresh = false, same = false;
    const auto received_in = trace::CurrentTraceparent();  // answering links to this request
    absl::Status saved =
        pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
          auto r = tx.exec_params(
              "INSERT INTO uhi.messages (sender_id, via_gateway, action, message_id, "
              "transaction_id, consumer_id, callback_url, body_digest, body, traceparent) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10) "
              "ON CONFLICT (sender_id, action, message_id) DO NOTHING RETURNING id",
              header->subscriber_id, via_gateway, action, c.message_id, c.transaction_id,
              c.consumer_id, callback_url, digest, stored, received_in);
          fresh = !r.empty();
          if (!fresh) {
            auto prior = tx.exec_params(
                "SELECT body_digest FROM uhi.messages "
                "WHERE sender_id = $1 AND action = $2 AND message_id = $3",
                header->subscriber_id, action, c.message_id);
            same = !prior.empty() && prior[0][0].as<std::string>() == digest;
          }
          return absl::OkStatus();
        });
    if (!saved.ok()) {
      Answer(resp, {"CORE-ERROR", std::string(domain::kInternalError), "",
                    "The message could not be recorded; send it again.", 503});
      return absl::OkStatus();
    }
    if (!fresh && !same) {
      Answer(resp, {"CONTEXT-ERROR", std::string(domain::kInvalidRequest), "context.message_id",
                    "This message_id was used for another message.", 400});
      return absl::OkStatus();
    }
    log::Info("uhi_received", {{"action", action},
                               {"sender", header->subscriber_id},
                               {"via_gateway", via_gateway},
                               {"message_id", c.message_id},
                               {"transaction_id", c.transaction_id},
                               {"duplicate", !fresh}});
    if (fresh) wakeup_->Notify();
    resp->set_http_status(200);
    resp->set_body(domain::AckBody());
    resp->set_content_type("application/json");
    return absl::OkStatus();
  });
}

}  // namespace healthtech::uhi
