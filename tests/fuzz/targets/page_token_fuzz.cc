// libFuzzer target: the page-token codec. Arbitrary tokens are refused without a crash
// (a forged MAC is out of reach), and whatever position goes in comes back out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "healthtech/paging/page_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using healthtech::paging::PageTokens;
  static const PageTokens tokens("fuzzing secret of at least thirty-two characters");
  std::string in(reinterpret_cast<const char*>(data), size);
  for (size_t fields = 0; fields < 3; ++fields) {
    auto got = tokens.Decode("list", in, fields);
    if (got.ok()) __builtin_trap();  // only a token we issued may decode
  }
  std::vector<std::string> position;
  for (size_t i = 0; i < in.size(); i += 7) position.push_back(in.substr(i, 7));
  if (position.size() > 8) position.resize(8);
  std::string token = tokens.Encode("list", position);
  auto back = tokens.Decode("list", token, position.size());
  if (!back.ok() || *back != position) __builtin_trap();
  (void)healthtech::paging::Int64Field(in);
  (void)healthtech::paging::FiniteDoubleField(in);
  return 0;
}
