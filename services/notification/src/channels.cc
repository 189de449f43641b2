#include "channels.h"

#include <cstring>
#include <random>

#include <curl/curl.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include "healthtech/status/status.h"

namespace healthtech::notification {
namespace {
namespace st = status;

struct Upload {
  std::string data;
  size_t offset = 0;
};
size_t ReadUpload(char* buf, size_t size, size_t n, void* p) {
  auto* u = static_cast<Upload*>(p);
  size_t take = std::min(u->data.size() - u->offset, size * n);
  std::memcpy(buf, u->data.data() + u->offset, take);
  u->offset += take;
  return take;
}
size_t Collect(char* buf, size_t size, size_t n, void* p) {
  static_cast<std::string*>(p)->append(buf, size * n);
  return size * n;
}

std::string Base64(const std::string& in) {  // standard alphabet, padded (RFC 2045/2047)
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Body lines as CRLF, base64 wrapped at 76 (safe for any UTF-8 and any line length).
std::string Base64Lines(const std::string& text) {
  std::string crlf;
  for (char c : text) {
    if (c == '\n')
      crlf += "\r\n";
    else
      crlf.push_back(c);
  }
  std::string b = Base64(crlf), out;
  for (size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::string RandomBoundary() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[40];
  std::snprintf(buf, sizeof buf, "=_ht_%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// A libcurl easy handle kept for the life of a thread (its connection cache with it).
struct CurlHandle {
  CURL* curl = nullptr;
  ~CurlHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  CURL* Reset() {
    if (curl == nullptr) curl = curl_easy_init();
    if (curl != nullptr) curl_easy_reset(curl);
    return curl;
  }
};

class SmtpChannel final : public Channel {
 public:
  explicit SmtpChannel(SmtpConfig c) : c_(std::move(c)) {}
  std::string provider() const override { return "smtp"; }

  // One handle per delivery thread, reset between messages: libcurl keeps the SMTP
  // connection open and sends the next message on it instead of connecting and greeting
  // again.
  absl::StatusOr<std::string> Send(const OutgoingMessage& m) override {
    static thread_local CurlHandle handle;
    CURL* curl = handle.Reset();
    if (curl == nullptr) return st::Unavailable("SMTP_UNAVAILABLE", "no curl handle");
    static thread_local std::mt19937_64 rng(std::random_device{}());
    char id[64];
    std::snprintf(id, sizeof id, "%016llx.%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    std::string domain = c_.from.substr(c_.from.find('@') + 1);
    std::string message_id = std::string(id) + "@" + domain;
    std::string headers = "To: <" + m.to + ">\r\nFrom: HealthTech <" + c_.from +
                          ">\r\nSubject: =?UTF-8?B?" + Base64(m.subject) + "?=\r\nMessage-ID: <" +
                          message_id + ">\r\nMIME-Version: 1.0\r\n";
    Upload up;
    if (m.html.empty()) {
      up.data = headers +
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
                "base64\r\n\r\n" +
                Base64Lines(m.text);
    } else {
      std::string b = RandomBoundary();
      up.data = headers + "Content-Type: multipart/alternative; boundary=\"" + b + "\"\r\n\r\n--" +
                b +
                "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
                "base64\r\n\r\n" +
                Base64Lines(m.text) + "--" + b +
                "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                "base64\r\n\r\n" +
                Base64Lines(m.html) + "--" + b + "--\r\n";
    }
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + m.to + ">").c_str());
    std::string from = "<" + c_.from + ">";
    curl_easy_setopt(curl, CURLOPT_URL, c_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXAGE_CONN, 30L);  // don't reuse a connection idle > 30 s
    if (!c_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, c_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, c_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     c_.starttls == "required" ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    CURLcode rc = curl_easy_perform(curl);
    long smtp_code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &smtp_code);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK) return message_id;
    std::string why =
        std::string(curl_easy_strerror(rc)) + " (SMTP " + std::to_string(smtp_code) + ")";
    // 5xx replies to the recipient are permanent; connection problems and 4xx are not.
    if ((rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_LOGIN_DENIED) &&
        smtp_code >= 500 && smtp_code < 600) {
      return st::InvalidArgument("SMTP_REJECTED", why);
    }
    return st::Unavailable("SMTP_FAILED", why);
  }

 private:
  SmtpConfig c_;
};

class SmsChannel final : public Channel {
 public:
  explicit SmsChannel(SmsConfig c) : c_(std::move(c)) {}
  std::string provider() const override { return c_.provider; }

  // One handle per delivery thread, reset between requests, so HTTP keep-alive reuses the
  // connection.
  absl::StatusOr<std::string> Send(const OutgoingMessage& m) override {
    static thread_local CurlHandle handle;
    CURL* curl = handle.Reset();
    if (curl == nullptr) return st::Unavailable("SMS_UNAVAILABLE", "no curl handle");
    std::string url = c_.api_url + "/v1/messages";
    std::string body = nlohmann::json{{"sender", c_.sender_id},
                                      {"to", m.to},
                                      {"text", m.text},
                                      {"template_id", m.dlt_template_id}}
                           .dump();
    std::string key = "authkey: " + c_.api_key, out;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, key.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) return st::Unavailable("SMS_FAILED", curl_easy_strerror(rc));
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (code >= 200 && code < 300) {
      if (j.is_object() && j.contains("message_id") && j["message_id"].is_string())
        return j["message_id"].get<std::string>();
      return st::Unavailable("SMS_FAILED", "the provider's reply has no message_id");
    }
    std::string why = "HTTP " + std::to_string(code);
    if (j.is_object() && j.contains("error") && j["error"].is_string())
      why += ": " + j["error"].get<std::string>();
    // Rate limits and server errors pass; anything else the provider refused for good.
    if (code == 429 || code >= 500) return st::Unavailable("SMS_FAILED", why);
    return st::InvalidArgument("SMS_REJECTED", why);
  }

 private:
  SmsConfig c_;
};

}  // namespace

std::string HttpGet(const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& query) {
  CurlHandle handle;
  CURL* curl = handle.Reset();
  if (curl == nullptr) return "";
  std::string full = url, out;
  for (size_t i = 0; i < query.size(); ++i) {
    char* v =
        curl_easy_escape(curl, query[i].second.c_str(), static_cast<int>(query[i].second.size()));
    full += (i == 0 ? "?" : "&") + query[i].first + "=" + (v != nullptr ? v : "");
    curl_free(v);
  }
  curl_easy_setopt(curl, CURLOPT_URL, full.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  return curl_easy_perform(curl) == CURLE_OK ? out : "";
}

std::unique_ptr<Channel> MakeSmtpChannel(SmtpConfig config) {
  return std::make_unique<SmtpChannel>(std::move(config));
}
std::unique_ptr<Channel> MakeSmsChannel(SmsConfig config) {
  return std::make_unique<SmsChannel>(std::move(config));
}

bool CircuitBreaker::Allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (failures_ < threshold_) return true;
  if (now < open_until_ || trial_in_flight_) return false;
  trial_in_flight_ = true;  // half-open: one trial
  return true;
}

void CircuitBreaker::Record(bool ok, Clock::time_point now) {
  std::lock_guard lock(mu_);
  trial_in_flight_ = false;
  if (ok) {
    failures_ = 0;
    return;
  }
  if (++failures_ >= threshold_) open_until_ = now + open_for_;
}

bool CircuitBreaker::open(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return failures_ >= threshold_ && (now < open_until_ || trial_in_flight_);
}

}  // namespace healthtech::notification
