#pragma once
// Leading comments of every element of the API protos, by full name, read from the embedded
// descriptor set with source info (api_descriptors.cc): the descriptions of /v1/openapi.json.
#include <map>
#include <string>
#include <vector>

namespace google::protobuf {
class FileDescriptorProto;
class EnumDescriptorProto;
}  // namespace google::protobuf

namespace healthtech::bff::openapi {

class Docs {
 public:
  Docs();
  std::string Of(const std::string& full_name) const;

 private:
  void Index(const google::protobuf::FileDescriptorProto& file);
  static void Enum(const google::protobuf::EnumDescriptorProto& e, const std::vector<int>& path,
                   const std::string& name, std::map<std::vector<int>, std::string>* names);
  // Comment lines joined into paragraphs.
  static std::string Clean(const std::string& c);
  std::map<std::string, std::string> text_;
};

}  // namespace healthtech::bff::openapi
