// Every vector of ../shared/uhi/vectors/vectors.json (copied here: NHA's published UHI
// signatures, BECKN-006's, and ones derived with NHA's published test key), then the
// verification rules one by one.
#include "healthtech/uhi/signing.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace healthtech::uhi {
namespace {

const nlohmann::json& Vectors() {
  static const nlohmann::json v = [] {
    std::ifstream in(UHI_VECTORS);
    std::stringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str());
  }();
  return v;
}

// Independent of the library: hex and base64 by hand.
std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}
std::string ToBase64(const std::string& in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
  }
  if (in.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {a[v >> 18], a[(v >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return out;
}
std::string FromBase64(const std::string& in) {
  static const std::string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    v = (v << 6) | static_cast<unsigned>(a.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xff));
    }
  }
  return out;
}

VerifyOptions At(int64_t now) {
  VerifyOptions o;
  o.now = now;
  return o;
}

TEST(UhiSigningVectors, Blake2b512) {
  for (const auto& v : Vectors()["blake2b512"]) {
    const std::string input = v["input_utf8"];
    SCOPED_TRACE(input);
    EXPECT_EQ(DigestBase64(input), ToBase64(FromHex(v["hex"])));
    if (v.contains("b64")) {
      EXPECT_EQ(DigestBase64(input), v["b64"].get<std::string>());
    }
  }
}

TEST(UhiSigningVectors, Published) {
  int checked = 0;
  for (const auto& v : Vectors()["published"]) {
    const std::string name = v["name"];
    SCOPED_TRACE(name);
    const Profile profile = *ParseProfile(v["profile"].get<std::string>());
    auto h = ParseSignatureHeader(v["authorization_header"].get<std::string>());
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->form, profile);  // UHI sends JSON, Beckn `Signature …`
    EXPECT_EQ(h->key_algorithm, "ed25519");
    const std::string pub = v.contains("public_key_spki_der_b64")
                                ? v["public_key_spki_der_b64"].get<std::string>()
                                : v["public_key_raw_b64"].get<std::string>();
    auto key = VerifyingKey::FromBase64(pub);
    ASSERT_TRUE(key.ok()) << key.status();
    std::string digest;
    if (v.contains("body_utf8")) {
      const std::string body = v["body_utf8"];
      digest = DigestBase64(body);
      if (v.contains("digest_b64")) {
        EXPECT_EQ(digest, v["digest_b64"].get<std::string>());
      }
      // The whole check, as a request would get it, inside its ten seconds.
      EXPECT_TRUE(Verify(*h, *key, body, At(h->created)).ok());
      EXPECT_FALSE(Verify(*h, *key, body + " ", At(h->created)).ok());
    } else {
      digest = v["digest_b64"];  // the .docx's vectors start from the stated digest
    }
    const std::string sig = FromBase64(h->signature);
    EXPECT_TRUE(key->Verifies(
        BytesToSign(profile, SigningString(profile, h->created, h->expires, digest)), sig));
    const Profile other = profile == Profile::kUhi ? Profile::kBeckn : Profile::kUhi;
    EXPECT_FALSE(key->Verifies(
        BytesToSign(other, SigningString(other, h->created, h->expires, digest)), sig))
        << "the other profile must not verify";
    for (const char* field : {"private_key_libsodium64_b64", "private_key_pkcs8_der_b64"}) {
      if (!v.contains(field)) continue;
      auto sk = SigningKey::FromBase64(v[field].get<std::string>());
      ASSERT_TRUE(sk.ok()) << sk.status();
      // Ed25519 is deterministic: signing again gives the published signature.
      EXPECT_EQ(sk->SignBase64(
                    BytesToSign(profile, SigningString(profile, h->created, h->expires, digest))),
                h->signature);
      EXPECT_EQ(profile == Profile::kUhi ? sk->PublicSpkiBase64() : sk->PublicRawBase64(), pub);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(UhiSigningVectors, DerivedKeyInEveryEncoding) {
  const auto& k = Vectors()["derived_key"];
  auto pkcs8 = SigningKey::FromBase64(k["private_pkcs8_der_b64"].get<std::string>());
  auto seed = SigningKey::FromBase64(k["private_seed_raw_b64"].get<std::string>());
  auto sodium = SigningKey::FromBase64(k["private_libsodium64_b64"].get<std::string>());
  ASSERT_TRUE(pkcs8.ok() && seed.ok() && sodium.ok());
  EXPECT_EQ(pkcs8->SignBase64("x"), seed->SignBase64("x"));
  EXPECT_EQ(pkcs8->SignBase64("x"), sodium->SignBase64("x"));
  EXPECT_EQ(seed->PrivatePkcs8Base64(), k["private_pkcs8_der_b64"].get<std::string>());
  EXPECT_EQ(pkcs8->PublicSpkiBase64(), k["public_spki_der_b64"].get<std::string>());
  EXPECT_EQ(pkcs8->PublicRawBase64(), k["public_raw_b64"].get<std::string>());
  EXPECT_TRUE(VerifyingKey::FromBase64(k["public_spki_der_b64"].get<std::string>()).ok());
  EXPECT_TRUE(VerifyingKey::FromBase64(k["public_raw_b64"].get<std::string>()).ok());
}

TEST(UhiSigningVectors, Derived) {
  const auto& k = Vectors()["derived_key"];
  auto sk = SigningKey::FromBase64(k["private_pkcs8_der_b64"].get<std::string>());
  auto spki = VerifyingKey::FromBase64(k["public_spki_der_b64"].get<std::string>());
  auto raw = VerifyingKey::FromBase64(k["public_raw_b64"].get<std::string>());
  ASSERT_TRUE(sk.ok() && spki.ok() && raw.ok());
  int checked = 0;
  for (const auto& c : Vectors()["derived"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::string body = FromBase64(c["body_b64"]);
    ASSERT_EQ(body.size(), c["body_len"].get<size_t>());
    const int64_t created = c["created"], expires = c["expires"];
    const std::string digest = DigestBase64(body);
    EXPECT_EQ(digest, c["digest_b64"].get<std::string>());

    const auto& u = c["uhi"];
    const std::string uss = SigningString(Profile::kUhi, created, expires, digest);
    EXPECT_EQ(uss, u["signing_string"].get<std::string>());
    EXPECT_EQ(BytesToSign(Profile::kUhi, uss), u["signed_bytes_utf8"].get<std::string>());
    EXPECT_EQ(sk->SignBase64(BytesToSign(Profile::kUhi, uss)),
              u["signature_b64"].get<std::string>());
    // The header we send, byte for byte.
    EXPECT_EQ(
        SignatureHeaderValue(Profile::kUhi, *sk, "hspa.example.in", "k1", body, created, expires),
        u["authorization_header_json"].get<std::string>());
    auto uh = ParseSignatureHeader(u["authorization_header_json"].get<std::string>());
    ASSERT_TRUE(uh.ok()) << uh.status();
    EXPECT_EQ(uh->subscriber_id, "hspa.example.in");
    EXPECT_EQ(uh->pub_key_id, "k1");
    EXPECT_TRUE(Verify(*uh, *spki, body, At(created + 3)).ok());

    const auto& b = c["beckn"];
    const std::string bss = SigningString(Profile::kBeckn, created, expires, digest);
    EXPECT_EQ(bss, b["signing_string"].get<std::string>());
    EXPECT_EQ(sk->SignBase64(BytesToSign(Profile::kBeckn, bss)),
              b["signature_b64"].get<std::string>());
    EXPECT_EQ(
        SignatureHeaderValue(Profile::kBeckn, *sk, "hspa.example.in", "k1", body, created, expires),
        b["authorization_header"].get<std::string>());
    auto bh = ParseSignatureHeader(b["authorization_header"].get<std::string>());
    ASSERT_TRUE(bh.ok()) << bh.status();
    EXPECT_EQ(bh->form, Profile::kBeckn);
    EXPECT_TRUE(Verify(*bh, *raw, body, At(created)).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(UhiSigningVectors, ReserialisedBodyFails) {
  const nlohmann::json* compact = nullptr;
  const nlohmann::json* pretty = nullptr;
  for (const auto& c : Vectors()["derived"]) {
    if (c["name"] == "uhi_search_compact") compact = &c;
    if (c["name"] == "uhi_search_pretty") pretty = &c;
  }
  ASSERT_TRUE(compact && pretty);
  auto h = ParseSignatureHeader((*compact)["uhi"]["authorization_header_json"].get<std::string>());
  auto key =
      VerifyingKey::FromBase64(Vectors()["derived_key"]["public_raw_b64"].get<std::string>());
  ASSERT_TRUE(h.ok() && key.ok());
  EXPECT_TRUE(Verify(*h, *key, FromBase64((*compact)["body_b64"]), At(h->created)).ok());
  const auto s = Verify(*h, *key, FromBase64((*pretty)["body_b64"]), At(h->created));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
}

// ------------------------------------------------------------------ the rules
class UhiVerify : public ::testing::Test {
 protected:
  const SigningKey key_ = SigningKey::Generate();
  const VerifyingKey pub_ = *VerifyingKey::FromBase64(key_.PublicSpkiBase64());
  const std::string body_ = R"({"context":{"action":"search"},"message":{}})";

  SignatureHeader Signed(Profile p = Profile::kUhi, int64_t created = 1'800'000'000) {
    return *ParseSignatureHeader(
        SignatureHeaderValue(p, key_, "eua.example.in", "k1", body_, created, created + 10));
  }
};

TEST_F(UhiVerify, TimeWindow) {
  const auto h = Signed();
  EXPECT_TRUE(Verify(h, pub_, body_, At(h.expires)).ok()) << "expires is the last valid second";
  EXPECT_EQ(Verify(h, pub_, body_, At(h.expires + 1)).message(), "the signature has expired");
  EXPECT_TRUE(Verify(h, pub_, body_, At(h.created - 5)).ok()) << "5 s of clock skew allowed";
  EXPECT_EQ(Verify(h, pub_, body_, At(h.created - 6)).message(), "created is in the future");
  VerifyOptions strict = At(h.created - 1);
  strict.created_skew = 0;
  EXPECT_FALSE(Verify(h, pub_, body_, strict).ok());
  auto backwards = h;
  backwards.expires = h.created - 1;
  EXPECT_FALSE(Verify(backwards, pub_, body_, At(h.created)).ok());
}

TEST_F(UhiVerify, WhatTheSignatureCovers) {
  const auto h = Signed();
  EXPECT_TRUE(Verify(h, pub_, body_, At(h.created)).ok());
  EXPECT_FALSE(Verify(h, pub_, body_ + "\n", At(h.created)).ok()) << "body bytes";
  auto later = h;
  later.expires += 60;  // stretching the window breaks the signature
  EXPECT_FALSE(Verify(later, pub_, body_, At(h.created)).ok());
  const auto other = SigningKey::Generate();
  EXPECT_FALSE(
      Verify(h, *VerifyingKey::FromBase64(other.PublicRawBase64()), body_, At(h.created)).ok());
  auto garbled = h;
  garbled.signature = "not base64!";
  EXPECT_EQ(Verify(garbled, pub_, body_, At(h.created)).message(), "the signature is not base64");
}

TEST_F(UhiVerify, AlgorithmAndHeadersList) {
  auto h = Signed();
  h.algorithm = "rsa-sha256";
  EXPECT_FALSE(Verify(h, pub_, body_, At(h.created)).ok());
  h = Signed();
  h.key_algorithm = "x25519";
  EXPECT_FALSE(Verify(h, pub_, body_, At(h.created)).ok());
  h = Signed();
  h.headers = "(created) digest";
  EXPECT_FALSE(Verify(h, pub_, body_, At(h.created)).ok());
}

TEST_F(UhiVerify, ProfilesAreDistinct) {
  // A UHI-form (JSON) header carrying a Beckn signature: refused unless the other profile
  // is accepted, and the same the other way round.
  auto beckn = Signed(Profile::kBeckn);
  auto as_json = beckn;
  as_json.form = Profile::kUhi;
  EXPECT_FALSE(Verify(as_json, pub_, body_, At(beckn.created)).ok());
  VerifyOptions lenient = At(beckn.created);
  lenient.accept_other_profile = true;
  EXPECT_TRUE(Verify(as_json, pub_, body_, lenient).ok());
  auto uhi = Signed(Profile::kUhi);
  uhi.form = Profile::kBeckn;
  EXPECT_FALSE(Verify(uhi, pub_, body_, At(uhi.created)).ok());
  EXPECT_TRUE(Verify(uhi, pub_, body_, lenient).ok());
}

TEST(UhiHeader, JsonKeysInAnyOrderAndNumbers) {
  auto h = ParseSignatureHeader(
      R"( {"signature":"c2ln","created":1700000000,"headers":"(created) (expires) digest","keyId":"a|b|ed25519","expires":"1700000010","algorithm":"ed25519","extra":1} )");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->form, Profile::kUhi);
  EXPECT_EQ(h->created, 1700000000);
  EXPECT_EQ(h->expires, 1700000010);
  EXPECT_EQ(h->subscriber_id, "a");
  EXPECT_EQ(h->pub_key_id, "b");
  EXPECT_EQ(h->signature, "c2ln");
}

TEST(UhiHeader, SignatureParametersWithSpacesAndBareNumbers) {
  auto h = ParseSignatureHeader(
      R"(Signature keyId="bap.example|k|ed25519", algorithm="ed25519", created=1641287875, expires="1641291475", headers="(created) (expires) digest", signature="c2ln")");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->form, Profile::kBeckn);
  EXPECT_EQ(h->created, 1641287875);
  EXPECT_EQ(h->subscriber_id, "bap.example");
}

TEST(UhiHeader, MalformedIsInvalidArgument) {
  const std::string ok_json =
      R"({"keyId":"a|b|ed25519","algorithm":"ed25519","created":"1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})";
  ASSERT_TRUE(ParseSignatureHeader(ok_json).ok());
  for (
      const std::string& bad : {
          std::string(""),
          std::string("Bearer abc"),
          std::string("{"),
          std::string("[1,2]"),
          std::string(R"({"keyId":"a|b|ed25519"})"),
          std::string(
              R"({"keyId":"a|ed25519","algorithm":"ed25519","created":"1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"a|b|c|ed25519","algorithm":"ed25519","created":"1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"|b|ed25519","algorithm":"ed25519","created":"1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"a|b|ed25519","algorithm":"ed25519","created":"-1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"a|b|ed25519","algorithm":"ed25519","created":"1.5","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"a|b|ed25519","algorithm":"ed25519","created":"99999999999999999999","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string(
              R"({"keyId":"a|b|ed25519","algorithm":["ed25519"],"created":"1","expires":"2","headers":"(created) (expires) digest","signature":"c2ln"})"),
          std::string("Signature"),
          std::string(R"(Signature keyId="a|b|ed25519")"),
          std::string(R"(Signature keyId="a|b|ed25519,algorithm="ed25519")"),
          std::string(R"(Signature keyId="a|b|ed25519" algorithm="ed25519")"),
          std::string(
              R"(Signature keyId="a|b|ed25519",keyId="c|d|ed25519",algorithm="ed25519",created="1",expires="2",headers="(created) (expires) digest",signature="c2ln")"),
      }) {
    auto h = ParseSignatureHeader(bad);
    EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(UhiKeys, EncodingsAndRejections) {
  const auto k = SigningKey::Generate();
  auto again = SigningKey::FromBase64(k.PrivatePkcs8Base64());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicSpkiBase64(), k.PublicSpkiBase64());
  EXPECT_EQ(k.PublicSpkiBase64().substr(0, 16), "MCowBQYDK2VwAyEA");
  EXPECT_EQ(k.PrivatePkcs8Base64().substr(0, 21), "MC4CAQAwBQYDK2VwBCIEI");
  EXPECT_FALSE(SigningKey::FromBase64("not base64").ok());
  EXPECT_FALSE(SigningKey::FromBase64(ToBase64(std::string(40, 'x'))).ok());
  // A libsodium secret key whose public half belongs to another seed.
  const std::string seed = FromBase64(Vectors()["derived_key"]["private_seed_raw_b64"]);
  const std::string other_pub = FromBase64(k.PublicRawBase64());
  EXPECT_FALSE(SigningKey::FromBase64(ToBase64(seed + other_pub)).ok());
  EXPECT_FALSE(VerifyingKey::FromBase64(ToBase64(std::string(31, 'x'))).ok());
  EXPECT_FALSE(VerifyingKey::FromBase64(k.PrivatePkcs8Base64()).ok())
      << "a private key is no public key";
  EXPECT_EQ(DigestHeader("hello").substr(0, 10), "BLAKE-512=");
}

}  // namespace
}  // namespace healthtech::uhi
