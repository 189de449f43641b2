// libFuzzer target: what the UHI network sends the platform — a signature header and a
// message body read as init, confirm, status, cancel or a search. Nothing crashes, and what is
// accepted keeps the promises the service relies on (ids in canonical form, bounded texts).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "healthtech/uhi/domain/discovery.h"
#include "healthtech/uhi/domain/messages.h"
#include "healthtech/uhi/domain/orders.h"
#include "healthtech/uhi/signing.h"

namespace d = healthtech::uhi::domain;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  (void)healthtech::uhi::ParseSignatureHeader(in);
  if (d::NestedTooDeep(in)) return 0;  // refused before parsing, as the service does
  const json body = json::parse(in, nullptr, false);
  if (body.is_discarded()) return 0;
  static const json kEmpty = json::object();
  const json* message = &kEmpty;
  if (body.is_object()) {
    auto it = body.find("message");
    if (it != body.end()) message = &*it;
  }
  d::ContextRules rules;
  rules.provider_id = "hspa.healthtech.local";
  rules.allow_plain_http = true;
  for (const char* action : {"search", "init", "confirm", "status", "cancel", "on_update"}) {
    auto c = d::ParseContext(body, action, rules);
    if (const auto* context = std::get_if<d::Context>(&c)) {
      (void)d::CallbackContext(*context, std::string("on_") + action, "hspa.healthtech.local",
                               "https://hspa.example/uhi", std::chrono::system_clock::now())
          .dump();
      if (std::string(action) == "search") (void)d::ParseSearchIntent(*message, *context);
    }
  }
  auto init = d::ParseInit(*message);
  if (const auto* o = std::get_if<d::InitOrder>(&init)) {
    if (o->slot_id.size() != 36 || o->abha_address.empty() || o->abha_address.size() > 200)
      __builtin_trap();
    if (!o->phone.empty() && (o->phone[0] != '+' || o->phone.size() > 16)) __builtin_trap();
  }
  for (bool agreed : {false, true}) {
    auto id = d::ParseOrderId(*message, agreed);
    if (const auto* s = std::get_if<std::string>(&id); s && s->size() != 36) __builtin_trap();
  }
  auto cancel = d::ParseCancel(*message);
  if (const auto* x = std::get_if<d::CancelOrder>(&cancel)) {
    if (d::CancelReasonText(x->reason_code, x->reason_text).size() > 1000) __builtin_trap();
  }
  (void)d::Quote(static_cast<int64_t>(size) * 997, static_cast<int>(size % 2801)).dump();
  return 0;
}
