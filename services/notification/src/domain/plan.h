#pragma once
// What each event sends, and to whom: no database and no gRPC. Events carry identifiers,
// never contact details or health data; recipients' addresses are looked up afterwards.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace healthtech::notification::domain {

struct Recipient {
  std::string user_id;  // empty for an address that is not a user yet (invitations)
  std::string email;    // set when the event names the address (verification, invitations)
};

struct Plan {
  std::string category;   // appointments | payments | forum | account
  bool security = false;  // ignores opt-outs and quiet hours
  bool urgent = false;    // an SMS that cannot go out falls back to email
  bool in_app = true, email = true, sms = false;
  std::vector<Recipient> to;
  std::string link;  // absolute, for email and SMS
  std::string path;  // the same, as an app path, for the inbox
  std::map<std::string, std::string> values;
  // Value name -> UTC instant, shown in `timezone` as local time.
  std::vector<std::pair<std::string, std::string>> local_times;
  std::string timezone = "UTC";
};

// The plan of event `type` with payload `p` (links under `web`, the public web URL), or
// nothing when the event sends nothing (unknown type, or no valid recipient).
std::optional<Plan> PlanFor(const std::string& type, const nlohmann::json& p,
                            const std::string& web);

// An amount as messages show it: {"amount_minor": 150050, "currency": "INR"} -> "INR 1500.50".
std::string Money(const nlohmann::json& m);

}  // namespace healthtech::notification::domain
