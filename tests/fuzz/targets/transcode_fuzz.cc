// libFuzzer target: the BFF's JSON <-> protobuf transcoder and its URL handling, on every
// request message the REST routes can build. The first byte picks the route; the rest is
// the request body as JSON, then "\n" and a query string, then "\n" and a path.
// Invariants: no crash, no sanitizer finding; whatever is accepted serializes, parses back
// and renders to JSON that parses again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <nlohmann/json.hpp>

#include "router.h"
#include "transcode.h"

using google::protobuf::DescriptorPool;
using google::protobuf::MessageFactory;

namespace {

const std::vector<healthtech::bff::Route>& Routes() {
  static const auto* routes = new std::vector<healthtech::bff::Route>(healthtech::bff::AllRoutes());
  return *routes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthtech::bff;
  if (size < 1) return 0;
  const auto& routes = Routes();
  const Route& route = routes[data[0] % routes.size()];
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string body = rest, query, path;
  if (auto nl = body.find('\n'); nl != std::string::npos) {
    query = body.substr(nl + 1);
    body.resize(nl);
    if (auto nl2 = query.find('\n'); nl2 != std::string::npos) {
      path = query.substr(nl2 + 1);
      query.resize(nl2);
    }
  }
  const auto* method = DescriptorPool::generated_pool()->FindMethodByName(route.rpc);
  if (method == nullptr) __builtin_trap();
  std::unique_ptr<google::protobuf::Message> msg(
      MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  std::vector<healthtech::status::Violation> errors;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded()) JsonToMessage(j, msg.get(), &errors);
  for (const auto& [key, value] : ParseQuery(query)) {
    const auto* f = method->input_type()->FindFieldByName(key);
    std::string err;
    if (f != nullptr) SetFieldFromString(msg.get(), f, value, &err);
  }
  static const Router router(AllRoutes());
  Match m = router.Find(route.method, path.empty() ? route.path : path);
  for (const auto& [name, value] : m.params) {
    const auto* f = method->input_type()->FindFieldByName(name);
    std::string err;
    if (f != nullptr) SetFieldFromString(msg.get(), f, value, &err);
  }
  if (errors.empty()) {
    // What the BFF would send downstream must be a message the service can parse.
    std::string wire = msg->SerializeAsString();
    std::unique_ptr<google::protobuf::Message> back(msg->New());
    if (!back->ParseFromString(wire)) __builtin_trap();
    std::string out;
    AppendMessageJson(*back, &out);
    if (nlohmann::json::parse(out, nullptr, false).is_discarded()) __builtin_trap();
  }
  return 0;
}
