#include "healthtech/org/domain/rules.h"

#include <algorithm>
#include <cctype>

#include "healthtech/validate/validate.h"

namespace healthtech::org {

std::string SniffContentType(std::string_view c) {
  if (c.size() >= 5 && c.substr(0, 5) == "%PDF-") return "application/pdf";
  if (c.size() >= 8 && c.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (c.size() >= 3 && static_cast<unsigned char>(c[0]) == 0xFF &&
      static_cast<unsigned char>(c[1]) == 0xD8 && static_cast<unsigned char>(c[2]) == 0xFF)
    return "image/jpeg";
  return "";
}

bool ValidGstin(std::string_view g) {
  if (g.size() != 15) return false;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (!digit(g[0]) || !digit(g[1])) return false;
  for (int i = 2; i < 7; ++i)
    if (!upper(g[i])) return false;  // PAN letters
  for (int i = 7; i < 11; ++i)
    if (!digit(g[i])) return false;  // PAN digits
  if (!upper(g[11])) return false;   // PAN check letter
  if (!(digit(g[12]) || upper(g[12])) || g[13] != 'Z') return false;
  if (!(digit(g[14]) || upper(g[14]))) return false;
  // Check character: base-36 weighted sum (GSTN's published algorithm).
  const std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  int sum = 0;
  for (int i = 0; i < 14; ++i) {
    int v = static_cast<int>(alphabet.find(g[i]));
    int p = v * ((i % 2) ? 2 : 1);
    sum += p / 36 + p % 36;
  }
  int check = (36 - sum % 36) % 36;
  return alphabet[check] == g[14];
}

std::string GstinStateCode(std::string_view g) {
  return ValidGstin(g) ? std::string(g.substr(0, 2)) : "";
}

bool ValidPostalCode(std::string_view code, std::string_view country) {
  if (country.empty() || country == "IN") {
    return code.size() == 6 && code[0] != '0' &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  if (code.size() < 3 || code.size() > 10) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-';
  });
}

std::vector<std::string> NormalizeList(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& raw : in) {
    std::string s = validate::Trim(raw);
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

void CheckName(std::string_view name, size_t min, size_t max, const std::string& field,
               std::vector<status::Violation>* v) {
  size_t n = validate::CodePoints(name);
  if (n < min || n > max) {
    v->push_back({field, min > 1 ? "must be " + std::to_string(min) + "–" + std::to_string(max) +
                                       " characters"
                                 : "must be at most " + std::to_string(max) + " characters"});
  } else if (std::string why = validate::DisplayNameProblem(name); !why.empty()) {
    v->push_back({field, why});
  }
}

bool ValidLanguage(std::string_view l) {
  return l.size() == 2 && std::islower(static_cast<unsigned char>(l[0])) &&
         std::islower(static_cast<unsigned char>(l[1]));
}

std::string NormalizeHprId(std::string_view id) {
  std::string digits;
  for (char c : id) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != '-' && c != ' ') {
      return "";
    }
  }
  if (digits.size() != 14) return "";
  return digits.substr(0, 2) + "-" + digits.substr(2, 4) + "-" + digits.substr(6, 4) + "-" +
         digits.substr(10, 4);
}

std::string NormalizeHprAddress(std::string_view address) {
  std::string a;
  for (char c : address)
    a.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const size_t at = a.find('@');
  if (at == std::string::npos) return "";
  const std::string_view local = std::string_view(a).substr(0, at);
  const std::string_view domain = std::string_view(a).substr(at + 1);
  if (domain != "hpr.abdm" && domain != "hpr.ndhm") return "";
  if (local.size() < 3 || local.size() > 64 || !std::isalnum(static_cast<unsigned char>(local[0])))
    return "";
  for (char c : local) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return "";
  }
  return a;
}

bool ValidDocumentType(std::string_view t) {
  return t.size() >= 2 && t.size() <= 40 &&
         std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

bool ValidFilename(std::string_view f) {
  return f.size() <= 255 && f.find('/') == std::string_view::npos &&
         f.find('\\') == std::string_view::npos && f.find('\0') == std::string_view::npos;
}

absl::Status MaySubmitForVerification(bool org_admin) {
  if (org_admin) return absl::OkStatus();
  return status::PermissionDenied("FORBIDDEN", "Only this organization's admins can submit it.");
}

absl::Status MayListVerifications(bool platform_admin) {
  if (platform_admin) return absl::OkStatus();
  return status::PermissionDenied("FORBIDDEN", "Only platform admins review organizations.");
}

absl::Status MayDecideVerification(bool platform_admin) {
  if (platform_admin) return absl::OkStatus();
  return status::PermissionDenied("FORBIDDEN", "Only platform admins decide verifications.");
}

bool SubmittableStatus(std::string_view status) {
  return status == "pending_verification" || status == "changes_requested";
}

std::string DecisionTarget(std::string_view decision) {
  return decision == "approve"  ? "verified"
         : decision == "reject" ? "rejected"
                                : "changes_requested";
}

std::string IdentityChangeRequestedNote(const std::vector<std::string>& fields) {
  std::string list;
  for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
  return "identity change requested: " + list;
}

std::string IdentityChangeDecidedNote(std::string_view decision, std::string_view reason) {
  return decision == "approve" ? "identity change approved"
                               : "identity change not accepted: " + std::string(reason);
}

}  // namespace healthtech::org
