#include "registry.h"

#include <nlohmann/json.hpp>

#include "healthtech/log/log.h"
#include "http_client.h"

namespace healthtech::uhi {
using nlohmann::json;

namespace {

// A registry's field as text: "" when absent, null (Java registries write missing fields as
// null) or not a string.
std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// UHI's participant types and Beckn's names for them.
bool SameType(const std::string& asked, const std::string& given) {
  if (asked.empty() || given.empty() || asked == given) return true;
  return (asked == "GATEWAY" && given == "BG") || (asked == "EUA" && given == "BAP") ||
         (asked == "HSPA" && given == "BPP");
}

}  // namespace

Registry::Registry(const Config& config, const SigningKey* key)
    : config_(config),
      key_(key),
      profile_(ParseProfile(config.signing_profile).value_or(Profile::kUhi)) {}

absl::StatusOr<Participant> Registry::Lookup(const std::string& subscriber_id,
                                             const std::string& pub_key_id,
                                             const std::string& type) {
  const std::string cache_key = type + "\n" + subscriber_id + "\n" + pub_key_id;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(cache_key); it != cache_.end() && it->second.expires > now) {
      if (!it->second.participant) return absl::NotFoundError("not registered");
      return *it->second.participant;
    }
  }
  json request{{"subscriber_id", subscriber_id},
               {"pub_key_id", pub_key_id},
               {"country", "IND"},
               {"domain", config_.domain}};
  if (!type.empty()) request["type"] = type;
  const std::string body = request.dump();
  HttpResult r = PostSigned(config_.registry_url + "/api/v1/networkregistry/lookup", body, config_,
                            profile_, *key_, 3000);
  if (r.status == 0 || r.status >= 500) {
    log::Warn("registry_unreachable", {{"status", r.status}, {"error", r.error}});
    return absl::UnavailableError("the network registry did not answer");
  }
  std::optional<Participant> found;
  if (r.status == 200) {
    auto list = json::parse(r.body, nullptr, false);
    if (list.is_array()) {
      for (const auto& s : list) {
        if (!s.is_object() || Text(s, "subscriber_id") != subscriber_id) continue;
        const std::string key_id = Text(s, "pub_key_id");
        if (!pub_key_id.empty() && !key_id.empty() && key_id != pub_key_id) continue;
        const std::string status = Text(s, "status");
        if (!status.empty() && status != "SUBSCRIBED" && status != "ACTIVE") continue;
        // Registries may ignore the type asked for: a participant of another type is not it.
        const std::string kind = Text(s, "type");
        if (!SameType(type, kind)) continue;
        // NHA's verifiers read the Ed25519 key from encr_public_key; Beckn's from
        // signing_public_key (WIRE.md §2.5): signing first, then encryption.
        std::string text = Text(s, "signing_public_key");
        if (text.empty()) text = Text(s, "encr_public_key");
        auto key = VerifyingKey::FromBase64(text);
        if (!key.ok()) continue;
        found = Participant{subscriber_id, key_id.empty() ? pub_key_id : key_id,
                            kind.empty() ? type : kind, Text(s, "subscriber_url"), *key};
        break;
      }
    }
  } else if (r.status != 404 && r.status != 403) {
    log::Warn("registry_lookup_refused", {{"status", r.status}});
    return absl::UnavailableError("the network registry refused the lookup");
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= 10000) {
    // Make room: lapsed entries first, then what is not registered; known participants
    // stay (a flood of made-up key ids must not push them out).
    std::erase_if(cache_, [&](const auto& e) { return e.second.expires <= now; });
    if (cache_.size() >= 10000)
      std::erase_if(cache_, [](const auto& e) { return !e.second.participant; });
    if (cache_.size() >= 10000) cache_.clear();
  }
  auto ttl = std::chrono::seconds(found ? config_.registry_cache_seconds
                                        : std::min(30, config_.registry_cache_seconds));
  cache_[cache_key] = {now + ttl, found};
  if (!found) return absl::NotFoundError("not registered");
  return *found;
}

absl::Status Registry::RegisterSelf() {
  json body{{"subscriber_id", config_.subscriber_id},
            {"pub_key_id", config_.pub_key_id},
            {"type", "HSPA"},
            {"domain", config_.domain},
            {"signing_public_key", key_->PublicSpkiBase64()},
            {"url", config_.subscriber_url}};
  HttpResult r = PostJson(config_.registry_url + "/dev/subscribers", body.dump(), {}, 3000);
  if (r.status < 200 || r.status >= 300) {
    return absl::UnavailableError("the development registry did not take our key: " +
                                  (r.status == 0 ? r.error : std::to_string(r.status)));
  }
  return absl::OkStatus();
}

}  // namespace healthtech::uhi
