// Members of organizations and invitations to join them.
#include "healthtech/pg/text_array.h"
#include "storage/rows.h"
#include "storage/store.h"

namespace healthtech::org::storage {

bool IsMember(Tx& tx, const std::string& org_id, const std::string& user_id,
              const std::vector<std::string>& roles) {
  return !pg::Exec(tx, "members/is_member", org_id, user_id, pg::TextArray(roles)).empty();
}

void AddCreatorAsAdmin(Tx& tx, const std::string& org_id, const std::string& user_id) {
  pg::Exec(tx, "members/add_creator", org_id, user_id);
}

void AddMember(Tx& tx, const std::string& org_id, const std::string& user_id,
               const std::string& role) {
  pg::Exec(tx, "members/add", org_id, user_id, role);
}

std::vector<MemberRole> MemberRoles(Tx& tx, const std::string& org_id, const std::string& user_id) {
  std::vector<MemberRole> out;
  for (const auto& m : pg::Exec(tx, "members/roles", org_id, user_id)) {
    MemberRole r;
    r.role = m["role"].as<std::string>();
    r.joined_at = m["joined_at"].as<int64_t>();
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Member> ListMembers(Tx& tx, const std::string& org_id, const std::string& after,
                                int limit) {
  std::vector<Member> out;
  for (const auto& r : pg::Exec(tx, "members/list", org_id, after, limit)) {
    Member m;
    m.user_id = r["user_id"].as<std::string>();
    m.roles = pg::ParseTextArray(r["roles"].as<std::string>());
    m.joined_at = r["joined_at"].as<int64_t>();
    m.practitioner_id = OptionalText(r["practitioner_id"]);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> RemoveMember(Tx& tx, const std::string& org_id, const std::string& user_id,
                                      const std::string& only_role) {
  std::vector<std::string> removed;
  for (const auto& r : pg::Exec(tx, "members/remove", org_id, user_id, only_role))
    removed.push_back(r["role"].as<std::string>());
  return removed;
}

std::vector<std::string> AdminIds(Tx& tx, const std::string& org_id) {
  std::vector<std::string> out;
  for (const auto& m : pg::Exec(tx, "members/admins", org_id))
    out.push_back(m["user_id"].as<std::string>());
  return out;
}

bool HasAdmin(Tx& tx, const std::string& org_id) {
  return !pg::Exec(tx, "members/has_admin", org_id).empty();
}

// ------------------------------------------------------------------ invitations

void RevokePendingInvitations(Tx& tx, const std::string& org_id, const std::string& email,
                              const std::string& role) {
  pg::Exec(tx, "invitations/revoke_pending", org_id, email, role);
}

Invitation InsertInvitation(Tx& tx, const std::string& org_id, const std::string& email,
                            const std::string& role, const std::string& token_hash,
                            const std::string& invited_by, int ttl_days) {
  auto r = pg::Exec(tx, "invitations/insert", org_id, email, role, pqxx::binarystring(token_hash),
                    invited_by, ttl_days)[0];
  Invitation i;
  i.id = r["id"].as<std::string>();
  i.organization_id = org_id;
  i.email = email;
  i.role = role;
  i.invited_by = invited_by;
  i.expires_at = r["expires_at"].as<int64_t>();
  i.created_at = r["created_at"].as<int64_t>();
  i.expires_at_text = r["expires_at_text"].as<std::string>();
  return i;
}

std::optional<Invitation> LockInvitationByToken(Tx& tx, const std::string& token_hash) {
  auto rows = pg::Exec(tx, "invitations/lock_by_token", pqxx::binarystring(token_hash));
  if (rows.empty()) return std::nullopt;
  Invitation i;
  i.id = rows[0]["id"].as<std::string>();
  i.organization_id = rows[0]["organization_id"].as<std::string>();
  i.email = rows[0]["email"].as<std::string>();
  i.role = rows[0]["role"].as<std::string>();
  return i;
}

void MarkInvitationAccepted(Tx& tx, const std::string& id, const std::string& user_id) {
  pg::Exec(tx, "invitations/accept", id, user_id);
}

std::vector<Invitation> ListPendingInvitations(Tx& tx, const std::string& org_id) {
  std::vector<Invitation> out;
  for (const auto& r : pg::Exec(tx, "invitations/list_pending", org_id)) {
    Invitation i;
    i.id = r["id"].as<std::string>();
    i.organization_id = org_id;
    i.email = r["email"].as<std::string>();
    i.role = r["role"].as<std::string>();
    i.invited_by = r["invited_by"].as<std::string>();
    i.expires_at = r["expires_at"].as<int64_t>();
    i.created_at = r["created_at"].as<int64_t>();
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace healthtech::org::storage
