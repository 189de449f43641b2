// Organizations and their verification.
#include "storage/rows.h"
#include "storage/store.h"

namespace healthtech::org::storage {
namespace {

Organization ReadOrganization(const pqxx::row& r) {
  Organization o;
  o.id = r["id"].as<std::string>();
  o.type = r["type"].as<std::string>();
  o.legal_name = r["legal_name"].as<std::string>();
  o.display_name = r["display_name"].as<std::string>();
  o.registration_number = r["registration_number"].as<std::string>();
  o.address = ReadAddress(r);
  o.contact_email = r["contact_email"].as<std::string>();
  o.contact_phone = r["contact_phone"].as<std::string>();
  o.gstin = OptionalText(r["gstin"]);
  o.status = r["status"].as<std::string>();
  o.late_cancellation_refund_percent = r["late_cancellation_refund_percent"].as<int>();
  o.created_by = r["created_by"].as<std::string>();
  o.created_at = r["created_at"].as<int64_t>();
  o.updated_at = r["updated_at"].as<int64_t>();
  return o;
}

}  // namespace

std::optional<Organization> FindOrganization(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "organizations/find", id);
  if (rows.empty()) return std::nullopt;
  return ReadOrganization(rows[0]);
}

std::optional<PendingIdentity> FindPendingIdentity(Tx& tx, const std::string& id) {
  auto rows = pg::Exec(tx, "organizations/pending_identity", id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  PendingIdentity p;
  if (r["has_legal_name"].as<bool>()) p.legal_name = r["legal_name"].as<std::string>();
  if (r["has_registration_number"].as<bool>())
    p.registration_number = r["registration_number"].as<std::string>();
  if (r["has_gstin"].as<bool>()) p.gstin = r["gstin"].is_null() ? "" : r["gstin"].as<std::string>();
  p.requested_by = r["requested_by"].is_null() ? "" : r["requested_by"].as<std::string>();
  p.requested_at = r["requested_at"].is_null() ? 0 : r["requested_at"].as<int64_t>();
  return p;
}

std::vector<VerificationEntry> VerificationHistory(Tx& tx, const std::string& id) {
  std::vector<VerificationEntry> out;
  for (const auto& h : pg::Exec(tx, "verification/history", id)) {
    VerificationEntry e;
    e.from_status = h["from_status"].as<std::string>();
    e.to_status = h["to_status"].as<std::string>();
    e.actor_id = h["actor_id"].as<std::string>();
    e.decision = h["decision"].as<std::string>();
    e.reason = OptionalText(h["reason"]);
    e.at = h["at"].as<int64_t>();
    out.push_back(std::move(e));
  }
  return out;
}

std::string InsertOrganization(Tx& tx, const NewOrganization& o) {
  const Address& a = o.address;
  return pg::Exec(tx, "organizations/insert", o.type, o.legal_name, o.display_name,
                  o.registration_number, a.line1, a.line2, a.city, a.state, a.pincode, a.country,
                  a.latitude.has_value(), a.latitude.value_or(0), a.longitude.value_or(0),
                  o.contact_email, o.contact_phone, o.gstin, o.created_by)[0]["id"]
      .as<std::string>();
}

void UpdateOrganization(Tx& tx, const std::string& id, const OrganizationChange& c) {
  const Address& a = c.address;
  pg::Exec(tx, "organizations/update", id, c.set_legal_name, c.legal_name, c.set_display_name,
           c.display_name, c.set_registration_number, c.registration_number, c.set_address, a.line1,
           a.line2, a.city, a.state, a.pincode, a.country, a.latitude.has_value(),
           a.latitude.value_or(0), a.longitude.value_or(0), c.set_contact_email, c.contact_email,
           c.set_contact_phone, c.contact_phone, c.set_gstin, c.gstin,
           c.set_late_cancellation_refund_percent, c.late_cancellation_refund_percent);
}

void RequestIdentityChange(Tx& tx, const std::string& id, const std::string& change_json) {
  pg::Exec(tx, "organizations/request_identity_change", id, change_json);
}

void LockOrganization(Tx& tx, const std::string& id) { pg::Exec(tx, "organizations/lock", id); }

// ------------------------------------------------------------------ verification

std::string LockStatus(Tx& tx, const std::string& id) {
  return pg::Exec(tx, "verification/lock_status", id)[0]["status"].as<std::string>();
}

DecisionState LockForDecision(Tx& tx, const std::string& id) {
  auto r = pg::Exec(tx, "verification/lock_for_decision", id)[0];
  DecisionState d;
  d.status = r["status"].as<std::string>();
  d.legal_name = r["legal_name"].as<std::string>();
  d.has_pending_identity = r["has_pending_identity"].as<bool>();
  return d;
}

void MarkSubmitted(Tx& tx, const std::string& id) { pg::Exec(tx, "verification/submit", id); }

void SetStatus(Tx& tx, const std::string& id, const std::string& status) {
  pg::Exec(tx, "verification/decide", id, status);
}

void ApproveIdentityChange(Tx& tx, const std::string& id) {
  pg::Exec(tx, "verification/approve_identity_change", id);
}

void DropIdentityChange(Tx& tx, const std::string& id) {
  pg::Exec(tx, "verification/drop_identity_change", id);
}

void RecordTransition(Tx& tx, const std::string& org_id, const std::string& from,
                      const std::string& to, const std::string& actor, const std::string& decision,
                      const std::string& reason) {
  pg::Exec(tx, "verification/record", org_id, from, to, actor, decision, reason);
}

std::vector<QueuedOrganization> ReviewQueue(Tx& tx, const QueueQuery& q) {
  std::vector<QueuedOrganization> out;
  for (const auto& r :
       pg::Exec(tx, "verification/queue", q.status, q.after, q.after_us, q.after_id, q.limit)) {
    QueuedOrganization item;
    item.organization = ReadOrganization(r);
    item.requested_us = r["k"].as<int64_t>();
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace healthtech::org::storage
