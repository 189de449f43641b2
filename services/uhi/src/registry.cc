#include "registry.h"

#include <nlohmann/json.hpp>

#include "healthtech/log/log.h"
#include "http_client.h"

namespace healthtech::uhi {
using nlohmann::json;

Registry::Registry(const Config& config, const SigningKey* key) : config_(config), key_(key) {}

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
  int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  auto profile = ParseProfile(config_.signing_profile);
  std::string header = SignatureHeaderValue(profile.ok() ? *profile : Profile::kUhi, *key_,
                                            config_.subscriber_id, config_.pub_key_id, body,
                                            created, created + config_.signature_ttl_seconds);
  HttpResult r = PostJson(config_.registry_url + "/api/v1/networkregistry/lookup", body,
                          {{"Authorization", header}, {"Digest", DigestHeader(body)}}, 3000);
  if (r.status == 0 || r.status >= 500) {
    log::Warn("registry_unreachable", {{"status", r.status}, {"error", r.error}});
    return absl::UnavailableError("the network registry did not answer");
  }
  std::optional<Participant> found;
  if (r.status == 200) {
    auto list = json::parse(r.body, nullptr, false);
    if (list.is_array()) {
      for (const auto& s : list) {
        if (!s.is_object() || s.value("subscriber_id", "") != subscriber_id) continue;
        if (!pub_key_id.empty() && s.value("pub_key_id", pub_key_id) != pub_key_id) continue;
        std::string status = s.value("status", "SUBSCRIBED");
        if (status != "SUBSCRIBED" && status != "ACTIVE") continue;
        // NHA's verifiers read the Ed25519 key from encr_public_key; Beckn's from
        // signing_public_key (WIRE.md §2.5): signing first, then encryption.
        std::string text = s.value("signing_public_key", "");
        if (text.empty()) text = s.value("encr_public_key", "");
        auto key = VerifyingKey::FromBase64(text);
        if (!key.ok()) continue;
        found = Participant{subscriber_id, s.value("pub_key_id", pub_key_id), s.value("type", type),
                            s.value("subscriber_url", ""), *key};
        break;
      }
    }
  } else if (r.status != 404 && r.status != 403) {
    log::Warn("registry_lookup_refused", {{"status", r.status}});
    return absl::UnavailableError("the network registry refused the lookup");
  }
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
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
