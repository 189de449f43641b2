#pragma once
// POSTs JSON to the network (registry lookups, signed callbacks) with libcurl: one easy
// handle per thread, kept for its connection cache.
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "healthtech/uhi/signing.h"

namespace healthtech::uhi {

struct HttpResult {
  long status = 0;    // 0 when nothing came back
  std::string error;  // libcurl's reason when status is 0
  std::string body;
};

HttpResult PostJson(const std::string& url, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    int timeout_ms);

// POSTs `body` signed as the platform (Authorization, signed now for
// UHI_SIGNATURE_TTL_SECONDS, with the v2.0.2 Digest header).
HttpResult PostSigned(const std::string& url, const std::string& body, const Config& config,
                      Profile profile, const SigningKey& key, int timeout_ms);

}  // namespace healthtech::uhi
