// uhi-sign: UHI / Beckn request signatures from the command line, for operators (what NHA's
// header generator utility does) and for the interoperability check against an independent
// implementation (tools/uhi_sim/check.mjs).
//
//   uhi-sign keygen                              →
//   {"private_pkcs8":…,"public_spki":…,"public_raw":…} uhi-sign sign --key B64 --subscriber ID
//   --key-id K [--profile uhi|beckn]
//                 [--created T] [--expires T] < body   → the header value
//   uhi-sign verify --key B64 --header VALUE [--now T] [--any-profile] < body
//                                                → "ok", or the reason on stderr and exit 1
//   uhi-sign digest < body                       → BLAKE-512=<digest> (the Digest header)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <string>

#include "healthtech/uhi/signing.h"

namespace {

using healthtech::uhi::Profile;

int Usage() {
  std::cerr << "usage: uhi-sign keygen | sign --key B64 --subscriber ID --key-id K "
               "[--profile uhi|beckn] [--created T] [--expires T] < body | verify --key B64 "
               "--header VALUE [--now T] [--any-profile] < body | digest < body\n";
  return 2;
}

std::string Stdin() {
  std::cin >> std::noskipws;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--any-profile") {
      flags[a] = "1";
    } else if (a.rfind("--", 0) == 0 && i + 1 < argc) {
      flags[a] = argv[++i];
    } else {
      return Usage();
    }
  }
  auto number = [&flags](const std::string& name, int64_t fallback) -> int64_t {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : std::stoll(it->second);
  };
  try {
    if (command == "keygen") {
      const auto key = healthtech::uhi::SigningKey::Generate();
      std::cout << "{\"private_pkcs8\":\"" << key.PrivatePkcs8Base64() << "\",\"public_spki\":\""
                << key.PublicSpkiBase64() << "\",\"public_raw\":\"" << key.PublicRawBase64()
                << "\"}\n";
      return 0;
    }
    if (command == "digest") {
      std::cout << healthtech::uhi::DigestHeader(Stdin()) << "\n";
      return 0;
    }
    if (command == "sign") {
      if (!flags.count("--key") || !flags.count("--subscriber") || !flags.count("--key-id")) {
        return Usage();
      }
      auto key = healthtech::uhi::SigningKey::FromBase64(flags["--key"]);
      auto profile = healthtech::uhi::ParseProfile(flags.count("--profile") ? flags["--profile"]
                                                                            : std::string("uhi"));
      if (!key.ok() || !profile.ok()) {
        std::cerr << (key.ok() ? profile.status() : key.status()).message() << "\n";
        return 2;
      }
      const int64_t created = number("--created", Now());
      std::cout << healthtech::uhi::SignatureHeaderValue(*profile, *key, flags["--subscriber"],
                                                         flags["--key-id"], Stdin(), created,
                                                         number("--expires", created + 10))
                << "\n";
      return 0;
    }
    if (command == "verify") {
      if (!flags.count("--key") || !flags.count("--header")) return Usage();
      auto key = healthtech::uhi::VerifyingKey::FromBase64(flags["--key"]);
      auto header = healthtech::uhi::ParseSignatureHeader(flags["--header"]);
      if (!key.ok() || !header.ok()) {
        std::cerr << (key.ok() ? header.status() : key.status()).message() << "\n";
        return 1;
      }
      healthtech::uhi::VerifyOptions options;
      options.now = number("--now", Now());
      options.accept_other_profile = flags.count("--any-profile") > 0;
      const auto status = healthtech::uhi::Verify(*header, *key, Stdin(), options);
      if (!status.ok()) {
        std::cerr << status.message() << "\n";
        return 1;
      }
      std::cout << "ok\n";
      return 0;
    }
  } catch (const std::exception& e) {  // a number flag that is not one
    std::cerr << e.what() << "\n";
    return 2;
  }
  return Usage();
}
