#include "openapi_docs.h"

#include <functional>
#include <sstream>
#include <string_view>

#include <google/protobuf/descriptor.pb.h>

namespace healthtech::bff {
std::string_view ApiDescriptorSet();  // api_descriptors.cc (generated)
}

namespace healthtech::bff::openapi {

Docs::Docs() {
  google::protobuf::FileDescriptorSet set;
  auto bytes = ApiDescriptorSet();
  if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  for (const auto& file : set.file()) Index(file);
}

std::string Docs::Of(const std::string& full_name) const {
  auto it = text_.find(full_name);
  return it == text_.end() ? "" : it->second;
}

void Docs::Index(const google::protobuf::FileDescriptorProto& file) {
  std::map<std::vector<int>, std::string> names;
  std::string pkg = file.package().empty() ? "" : file.package() + ".";
  std::function<void(const google::protobuf::DescriptorProto&, std::vector<int>,
                     const std::string&)>
      message = [&](const google::protobuf::DescriptorProto& m, std::vector<int> path,
                    const std::string& name) {
        names[path] = name;
        for (int i = 0; i < m.field_size(); ++i) {
          auto p = path;
          p.insert(p.end(), {2, i});
          names[p] = name + "." + m.field(i).name();
        }
        for (int i = 0; i < m.nested_type_size(); ++i) {
          auto p = path;
          p.insert(p.end(), {3, i});
          message(m.nested_type(i), p, name + "." + m.nested_type(i).name());
        }
        for (int i = 0; i < m.enum_type_size(); ++i) {
          auto p = path;
          p.insert(p.end(), {4, i});
          Enum(m.enum_type(i), p, name + "." + m.enum_type(i).name(), &names);
        }
      };
  for (int i = 0; i < file.message_type_size(); ++i)
    message(file.message_type(i), {4, i}, pkg + file.message_type(i).name());
  for (int i = 0; i < file.enum_type_size(); ++i)
    Enum(file.enum_type(i), {5, i}, pkg + file.enum_type(i).name(), &names);
  for (int i = 0; i < file.service_size(); ++i) {
    std::string s = pkg + file.service(i).name();
    names[{6, i}] = s;
    for (int k = 0; k < file.service(i).method_size(); ++k)
      names[{6, i, 2, k}] = s + "." + file.service(i).method(k).name();
  }
  for (const auto& loc : file.source_code_info().location()) {
    if (loc.leading_comments().empty()) continue;
    std::vector<int> path(loc.path().begin(), loc.path().end());
    auto it = names.find(path);
    if (it != names.end()) text_[it->second] = Clean(loc.leading_comments());
  }
}

void Docs::Enum(const google::protobuf::EnumDescriptorProto& e, const std::vector<int>& path,
                const std::string& name, std::map<std::vector<int>, std::string>* names) {
  (*names)[path] = name;
  std::string scope = name.substr(0, name.rfind('.'));
  for (int i = 0; i < e.value_size(); ++i) {
    auto p = path;
    p.insert(p.end(), {2, i});
    (*names)[p] = scope + "." + e.value(i).name();
  }
}

// Comment lines joined into paragraphs.
std::string Docs::Clean(const std::string& c) {
  std::string out;
  std::istringstream in(c);
  for (std::string line; std::getline(in, line);) {
    size_t b = line.find_first_not_of(' ');
    line = b == std::string::npos ? "" : line.substr(b);
    if (line.empty()) {
      if (!out.empty() && out.back() != '\n') out += "\n\n";
      continue;
    }
    if (!out.empty() && out.back() != '\n') out += ' ';
    out += line;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace healthtech::bff::openapi
