#pragma once
// The REST surface of the platform: a declarative route table (method + path template
// -> gRPC method) and a matcher. The OpenAPI document is generated from the same table.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class MethodDescriptor;
}

namespace healthtech::bff {

struct Route {
  std::string method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  // Template; "{name}" segments fill the request field `name`, "{name=field}" the field
  // `field` (the REST name stays `name`: one name per resource across the API, whatever the
  // proto field is called). The router keeps `path` without the "=field" parts.
  std::string path;
  std::string service;  // downstream short name: "iam", "org", ...
  std::string rpc;      // fully qualified: "healthtech.iam.v1.IamService.Login"
  std::string summary;
  std::string tag;
  bool auth = false;  // requires a valid access token
  int success_status = 200;
  bool dev_only = false;  // 404 unless HEALTHTECH_ENV=development
  bool rate_limited = true;
  std::string cache_control = "no-store";
  // Larger bodies for uploads (0 = the server default, MAX_BODY_BYTES).
  size_t max_body_bytes = 0;
  // When set, a non-JSON body is taken raw into this bytes field, its Content-Type into
  // `raw_content_type_field`, and other fields come from the query string.
  std::string raw_body_field;
  std::string raw_content_type_field;
  // Take the body raw even when it is JSON (e.g. webhooks signed over the exact bytes).
  bool raw_body_always = false;
  // Request headers copied into fields (header name, field name).
  std::vector<std::pair<std::string, std::string>> header_fields;
  // String fields the route itself sets (field name, value): one literal path per variant
  // instead of a path parameter that would make paths ambiguous (e.g. a webhook per gateway).
  std::vector<std::pair<std::string, std::string>> fixed_fields;
  // When set, the response is this bytes field sent raw, with the Content-Type from
  // `raw_response_type_field` and a download name from `raw_response_filename_field`.
  std::string raw_response_field;
  std::string raw_response_type_field;
  std::string raw_response_filename_field;
  // ... and its HTTP status from this int32 field (an answer in another protocol's own
  // shape, e.g. UHI's ACK/NACK), with these response headers from string fields when set.
  std::string raw_response_status_field;
  std::vector<std::pair<std::string, std::string>> raw_response_header_fields;
  // When set, a failure of the service itself (5xx) is answered 503 with this JSON body
  // (another protocol's own error, e.g. UHI's NACK), not a problem document.
  std::string upstream_error_body;
  // The request body's description in the OpenAPI document, for raw_body_always routes.
  std::string raw_body_description;
  // Browser sessions (a request with "X-Session: cookie"): the refresh token travels in an
  // HttpOnly cookie instead of the JSON body. kIssue: a refresh_token in the response goes
  // into the cookie (and out of the body); a request without one takes the cookie's.
  // kEnd: the request takes the cookie's, and the response clears it.
  enum class SessionCookie { kNone, kIssue, kEnd };
  SessionCookie session_cookie = SessionCookie::kNone;
  // The RPC's descriptor, looked up once when the BFF starts (App), not per request.
  const google::protobuf::MethodDescriptor* method_descriptor = nullptr;
  std::vector<std::string> segments;                // filled by the router
  std::map<std::string, std::string> param_fields;  // REST name -> request field (router)
};

struct Match {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;  // REST name -> decoded value
  std::vector<std::string> allowed_methods;   // when the path matches but not the method
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Registers every service's messages in the descriptor pool (see link_protos.cc).
void LinkAllProtos();

// Every REST route the BFF serves (besides /health, /ready, /v1/openapi.json).
std::vector<Route> AllRoutes();

// Percent-decodes a path segment or query component ('+' as space in queries).
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);
// Splits "a=1&b=2" (decoded); repeated keys keep every value in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view q);
// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when absent or given
// more than once.
std::string CookieValue(std::string_view header, std::string_view name);

}  // namespace healthtech::bff
