#pragma once
// The network registry: who a subscriber is (type, URL) and the key it signs with.
// Lookups are signed with the platform's key (NHA's registry checks them), answered from a
// cache for UHI_REGISTRY_CACHE_SECONDS, and "not registered" is remembered briefly too, so
// junk signatures cannot turn into a flood of lookups.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <absl/status/statusor.h>

#include "config.h"
#include "healthtech/uhi/signing.h"

namespace healthtech::uhi {

struct Participant {
  std::string subscriber_id;
  std::string pub_key_id;
  std::string type;  // EUA, HSPA, GATEWAY (BG), REGISTRY
  std::string subscriber_url;
  VerifyingKey key;
};

class Registry {
 public:
  Registry(const Config& config, const SigningKey* key);

  // NOT_FOUND when the registry knows no such subscriber and key (of that type, when given);
  // UNAVAILABLE when it cannot be asked.
  absl::StatusOr<Participant> Lookup(const std::string& subscriber_id,
                                     const std::string& pub_key_id, const std::string& type);

  // Development registries only: registers the platform (POST <registry>/dev/subscribers).
  absl::Status RegisterSelf();

 private:
  struct Entry {
    std::chrono::steady_clock::time_point expires;
    std::optional<Participant> participant;  // empty: not registered
  };
  const Config& config_;
  const SigningKey* key_;
  Profile profile_;  // how our lookups are signed
  std::mutex mu_;
  std::map<std::string, Entry> cache_;
};

}  // namespace healthtech::uhi
