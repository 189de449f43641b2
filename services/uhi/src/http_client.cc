#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>

namespace healthtech::uhi {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > (1u << 20)) return 0;  // an answer is an ACK: 1 MiB is plenty
  s->append(data, size * n);
  return size * n;
}

struct Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  CURL* Reset() {
    if (curl == nullptr) curl = curl_easy_init();
    if (curl != nullptr) curl_easy_reset(curl);
    return curl;
  }
};

}  // namespace

HttpResult PostJson(const std::string& url, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    int timeout_ms) {
  thread_local Handle handle;
  HttpResult out;
  CURL* curl = handle.Reset();
  if (curl == nullptr) {
    out.error = "no curl handle";
    return out;
  }
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout_ms, 2000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  } else {
    out.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(list);
  return out;
}

HttpResult PostSigned(const std::string& url, const std::string& body, const Config& config,
                      Profile profile, const SigningKey& key, int timeout_ms) {
  const int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  std::string header = SignatureHeaderValue(profile, key, config.subscriber_id, config.pub_key_id,
                                            body, created, created + config.signature_ttl_seconds);
  return PostJson(url, body, {{"Authorization", header}, {"Digest", DigestHeader(body)}},
                  timeout_ms);
}

}  // namespace healthtech::uhi
