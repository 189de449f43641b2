#include "domain/plan.h"

#include <cstdint>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "healthtech/validate/validate.h"

namespace healthtech::notification::domain {
namespace {

std::string Str(const nlohmann::json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : "";
}

void AddUsers(Plan& plan, const nlohmann::json& ids) {
  if (!ids.is_array()) return;
  for (const auto& id : ids) {
    if (id.is_string() && validate::ValidUuid(id.get<std::string>()))
      plan.to.push_back({id.get<std::string>(), ""});
  }
}

}  // namespace

std::string Money(const nlohmann::json& m) {
  if (!m.is_object()) return "";
  int64_t minor = m.value("amount_minor", int64_t{0});
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %lld.%02lld", m.value("currency", "INR").c_str(),
                static_cast<long long>(minor / 100), static_cast<long long>(minor % 100));
  return buf;
}

std::optional<Plan> PlanFor(const std::string& type, const nlohmann::json& p,
                            const std::string& web) {
  Plan plan;
  if (type == "appointment.booked" || type == "appointment.rescheduled" ||
      type == "appointment.cancelled" || type == "appointment.reminder_due") {
    plan.category = "appointments";
    plan.sms = true;
    plan.urgent = type == "appointment.reminder_due";
    plan.to.push_back({Str(p, "patient_id"), ""});
    plan.link = web + "/appointments/" + Str(p, "appointment_id");
    plan.timezone = Str(p, "timezone");
    plan.local_times = {{"start_local", Str(p, "start")}};
    bool hour = Str(p, "lead") == "1h";
    plan.values["lead_text"] = hour ? "in one hour" : "tomorrow";
    plan.values["lead_text_hi"] = hour ? "एक घंटे में" : "कल";
    // Who and where (events from before appointments carried them have neither).
    const std::string name = Str(p, "practitioner_name");
    plan.values["with"] = name.empty() ? "" : " with " + name;
    plan.values["with_hi"] = name.empty() ? "" : name + " के साथ ";
    // Messages say where: the full address by mail, the place and its phone by SMS.
    std::string where, where_hi, where_sms, where_sms_hi;
    const std::string facility = Str(p, "facility_name"), phone = Str(p, "facility_phone");
    if (Str(p, "mode") == "video" && !Str(p, "video_url").empty()) {
      where = "\nBy video: join at " + Str(p, "video_url");
      where_hi = "\nवीडियो पर: " + Str(p, "video_url");
      where_sms = " Video: " + Str(p, "video_url");
      where_sms_hi = " वीडियो: " + Str(p, "video_url");
    } else if (!facility.empty()) {
      std::string place = facility;
      if (!Str(p, "facility_address").empty()) place += ", " + Str(p, "facility_address");
      if (!phone.empty()) place += " (phone " + phone + ")";
      where = "\nWhere: " + place;
      where_hi = "\nस्थान: " + place;
      where_sms = where_sms_hi = " " + facility + (phone.empty() ? "" : ", " + phone) + ".";
    }
    plan.values["where"] = where;
    plan.values["where_hi"] = where_hi;
    plan.values["where_sms"] = where_sms;
    plan.values["where_sms_hi"] = where_sms_hi;
  } else if (type == "waitlist.offered") {
    plan.category = "appointments";
    plan.sms = plan.urgent = true;
    plan.to.push_back({Str(p, "patient_id"), ""});
    plan.link = web + "/practitioners/" + Str(p, "practitioner_id");
    plan.timezone = Str(p, "timezone");
    plan.local_times = {{"start_local", Str(p, "slot_start")},
                        {"offer_expires_local", Str(p, "offer_expires_at")}};
  } else if (type == "payment.captured" || type == "refund.processed") {
    plan.category = "payments";
    plan.sms = true;
    plan.to.push_back({Str(p, "payer_id"), ""});
    plan.link = web + "/payments/" + Str(p, "payment_id");
    plan.values["invoice_link"] = plan.link;  // the payment page lists its invoice PDFs
    plan.values["amount"] = Money(p.value("amount", nlohmann::json::object()));
  } else if (type == "user.email_verification_requested" ||
             type == "user.password_reset_requested") {
    plan.category = "account";
    plan.security = true;
    plan.in_app = false;
    plan.to.push_back({Str(p, "user_id"), Str(p, "email")});
    plan.values["full_name"] = Str(p, "full_name");
    plan.values["verify_url"] = Str(p, "verify_url");
    plan.values["reset_url"] = Str(p, "reset_url");
  } else if (type == "user.password_changed") {
    plan.category = "account";
    plan.security = plan.sms = true;
    plan.to.push_back({Str(p, "user_id"), ""});
    plan.link = web + "/forgot-password";
  } else if (type == "user.new_sign_in") {
    plan.category = "account";
    plan.security = true;
    plan.to.push_back({Str(p, "user_id"), ""});
    plan.link = web + "/forgot-password";
    plan.values["device"] = Str(p, "device");
    plan.values["ip"] = Str(p, "ip").empty() ? "unknown" : Str(p, "ip");
    plan.local_times = {{"signed_in_local", Str(p, "signed_in_at")}};
  } else if (type == "organization.verified" || type == "organization.rejected" ||
             type == "organization.changes_requested") {
    plan.category = "account";
    AddUsers(plan, p.value("admin_user_ids", nlohmann::json::array()));
    plan.link = web + "/organizations/" + Str(p, "organization_id");
    plan.values["org_name"] = Str(p, "legal_name");
    plan.values["reason"] = Str(p, "reason");
  } else if (type == "staff.invited") {
    plan.category = "account";
    plan.in_app = false;
    plan.to.push_back({"", Str(p, "email")});
    plan.values["org_name"] = Str(p, "organization_name");
    plan.values["role"] = Str(p, "role");
    plan.values["invite_url"] = Str(p, "accept_url");
    plan.values["expires_at"] = Str(p, "expires_at");
  } else if (type == "forum.reply_created") {
    plan.category = "forum";
    AddUsers(plan, p.value("follower_ids", nlohmann::json::array()));
    plan.link = web + "/forum/threads/" + Str(p, "thread_id") + "#post-" + Str(p, "post_id");
    plan.values["thread_title"] = Str(p, "thread_title");
    plan.values["author_name"] = Str(p, "author_display_name");
  } else if (type == "forum.moderation_action") {
    plan.category = "forum";
    plan.to.push_back({Str(p, "target_user_id"), ""});
    plan.link = web + "/forum/threads/" + Str(p, "thread_id");
    plan.values["action"] = Str(p, "action");
    plan.values["reason"] = Str(p, "reason");
  } else {
    return std::nullopt;
  }
  std::erase_if(plan.to, [](const Recipient& r) {
    return r.user_id.empty() ? r.email.empty() : !validate::ValidUuid(r.user_id);
  });
  if (plan.to.empty()) return std::nullopt;
  plan.values["link"] = plan.link;
  // In-app links are app paths (messages without a link have none).
  if (plan.link.size() >= web.size() && plan.link.compare(0, web.size(), web) == 0)
    plan.path = plan.link.substr(web.size());
  plan.values["timezone"] = plan.timezone.empty() ? "UTC" : plan.timezone;
  return plan;
}

}  // namespace healthtech::notification::domain
