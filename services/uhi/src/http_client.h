#pragma once
// POSTs JSON to the network (registry lookups, signed callbacks) with libcurl: one easy
// handle per thread, kept for its connection cache.
#include <string>
#include <utility>
#include <vector>

namespace healthtech::uhi {

struct HttpResult {
  long status = 0;    // 0 when nothing came back
  std::string error;  // libcurl's reason when status is 0
  std::string body;
};

HttpResult PostJson(const std::string& url, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    int timeout_ms);

}  // namespace healthtech::uhi
