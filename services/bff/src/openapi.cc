// OpenAPI 3.1 document generated from the route table and the proto descriptors, so
// the contract cannot drift from what the router serves.
#include <google/protobuf/descriptor.h>
#include <nlohmann/json.hpp>

#include "app.h"
#include "transcode.h"

namespace healthtech::bff {
namespace {

std::string OperationId(const Route& r) {
  std::string rpc = r.rpc.substr(r.rpc.rfind('.') + 1);
  std::string svc = r.service;
  return svc + rpc.substr(0, 1) + rpc.substr(1);
}

nlohmann::json ProblemRef(const std::string& description) {
  return {
      {"description", description},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

std::string BuildOpenApi(const Router& router) {
  using google::protobuf::DescriptorPool;
  nlohmann::json components = nlohmann::json::object();
  nlohmann::json paths = nlohmann::json::object();
  std::set<std::string> tags;

  for (const auto& r : router.routes()) {
    const auto* m = DescriptorPool::generated_pool()->FindMethodByName(r.rpc);
    if (m == nullptr) continue;
    std::vector<std::string> path_params;
    for (const auto& seg : r.segments) {
      if (seg.size() > 2 && seg.front() == '{')
        path_params.push_back(seg.substr(1, seg.find('}') - 1));
    }
    nlohmann::json op = {
        {"operationId", OperationId(r)}, {"summary", r.summary}, {"tags", {r.tag}}};
    tags.insert(r.tag);
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : path_params) {
      nlohmann::json schema = {{"type", "string"}};
      params.push_back({{"name", p}, {"in", "path"}, {"required", true}, {"schema", schema}});
    }
    bool body_method = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    const auto* in = m->input_type();
    if (!body_method) {
      for (int i = 0; i < in->field_count(); ++i) {
        const auto* f = in->field(i);
        if (std::find(path_params.begin(), path_params.end(), f->name()) != path_params.end())
          continue;
        if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
            f->message_type()->full_name() != "google.protobuf.Timestamp")
          continue;
        nlohmann::json tmp_components;
        nlohmann::json s = SchemaFor(in, &tmp_components)["properties"][f->name()];
        params.push_back(
            {{"name", f->name()}, {"in", "query"}, {"required", false}, {"schema", s}});
      }
    }
    if (!params.empty()) op["parameters"] = params;
    if (body_method ||
        (r.method == "DELETE" && in->field_count() > static_cast<int>(path_params.size()))) {
      std::string name = in->full_name();
      for (auto& c : name)
        if (c == '.') c = '_';
      components[name] = SchemaFor(in, &components, path_params);
      op["requestBody"] = {
          {"required", false},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + name}}}}}}}};
    }
    std::string out_name = m->output_type()->full_name();
    for (auto& c : out_name)
      if (c == '.') c = '_';
    if (!components.contains(out_name))
      components[out_name] = SchemaFor(m->output_type(), &components);
    nlohmann::json success_content =
        r.raw_response_field.empty()
            ? nlohmann::json{{"application/json",
                              {{"schema", {{"$ref", "#/components/schemas/" + out_name}}}}}}
            : nlohmann::json{
                  {"application/pdf", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}};
    nlohmann::json responses = {
        {std::to_string(r.success_status),
         {{"description", "Success"}, {"content", success_content}}},
        {"400", ProblemRef("Invalid request")},
        {"429", ProblemRef("Rate limited")},
        {"default", ProblemRef("Error (RFC 9457 problem details)")},
    };
    if (r.auth) {
      responses["401"] = ProblemRef("Missing, invalid or expired access token");
      op["security"] = nlohmann::json::array({{{"bearerAuth", nlohmann::json::array()}}});
    } else {
      op["security"] = nlohmann::json::array();
    }
    op["responses"] = responses;
    std::string lower = r.method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(c));
    paths[r.path][lower] = op;
  }

  auto simple = [](const std::string& id, const std::string& summary, const std::string& desc) {
    return nlohmann::json{
        {"get",
         {{"operationId", id},
          {"summary", summary},
          {"tags", {"operations"}},
          {"security", nlohmann::json::array()},
          {"responses",
           {{"200",
             {{"description", desc},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
            {"503",
             {{"description", "Not ready"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}}}};
  };
  paths["/health"] = simple("health", "Liveness: the process serves", "Alive");
  paths["/ready"] = simple("ready", "Readiness: downstream services and Redis answer", "Ready");
  paths["/v1/openapi.json"] = simple("openapi", "This document", "OpenAPI 3.1 document");
  tags.insert("operations");

  components["Problem"] = {
      {"type", "object"},
      {"description", "RFC 9457 problem details with a stable code and the request id"},
      {"required", {"type", "title", "status", "detail", "code", "request_id"}},
      {"properties",
       {{"type", {{"type", "string"}, {"format", "uri"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"code", {{"type", "string"}}},
        {"request_id", {{"type", "string"}}},
        {"errors",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};

  nlohmann::json tag_list = nlohmann::json::array();
  for (const auto& t : tags)
    tag_list.push_back({{"name", t}, {"description", "HealthTech " + t + " endpoints"}});

  nlohmann::json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "HealthTech API"},
        {"version", "1.0.0"},
        {"description",
         "REST API of the HealthTech platform (Backend-for-Frontend). Errors are RFC 9457 "
         "problem details with a stable `code` and the `request_id`."},
        {"license", {{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}}}},
      {"servers",
       {{{"url", "https://api.healthtech.com"}, {"description", "production"}},
        {{"url", "https://staging-api.healthtech.com"}, {"description", "staging"}},
        {{"url", "http://localhost:8080"}, {"description", "development"}}}},
      {"tags", tag_list},
      {"paths", paths},
      {"components",
       {{"schemas", components},
        {"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}}}}};
  return doc.dump();
}

}  // namespace healthtech::bff
