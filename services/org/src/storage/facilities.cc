// Facilities and verification documents of organizations.
#include "storage/rows.h"
#include "storage/store.h"

namespace healthtech::org::storage {
namespace {

Facility ReadFacility(const pqxx::row& r) {
  Facility f;
  f.id = r["id"].as<std::string>();
  f.organization_id = r["organization_id"].as<std::string>();
  f.name = r["name"].as<std::string>();
  f.address = ReadAddress(r);
  f.timezone = r["timezone"].as<std::string>();
  f.phone = r["phone"].as<std::string>();
  f.created_at = r["created_at"].as<int64_t>();
  return f;
}

}  // namespace

std::string InsertFacility(Tx& tx, const NewFacility& f) {
  const Address& a = f.address;
  return pg::Exec(tx, "facilities/insert", f.organization_id, f.name, a.line1, a.line2, a.city,
                  a.state, a.pincode, a.country, a.latitude.has_value(), a.latitude.value_or(0),
                  a.longitude.value_or(0), f.timezone, f.phone)[0]["id"]
      .as<std::string>();
}

Facility GetFacility(Tx& tx, const std::string& id) {
  return ReadFacility(pg::Exec(tx, "facilities/find", id)[0]);
}

std::vector<Facility> ListFacilities(Tx& tx, const std::string& org_id, const std::string& after,
                                     int limit) {
  std::vector<Facility> out;
  for (const auto& r : pg::Exec(tx, "facilities/list", org_id, after, limit))
    out.push_back(ReadFacility(r));
  return out;
}

bool TimezoneExists(Tx& tx, const std::string& tz) {
  return !pg::Exec(tx, "facilities/timezone_exists", tz).empty();
}

// ------------------------------------------------------------------ documents

Document InsertDocument(Tx& tx, const NewDocument& d) {
  auto r = pg::Exec(tx, "documents/insert", d.organization_id, d.document_type, d.filename,
                    d.content_type, static_cast<int>(d.content.size()), d.sha256,
                    pqxx::binarystring(d.content), d.uploaded_by)[0];
  Document out;
  out.id = r["id"].as<std::string>();
  out.document_type = d.document_type;
  out.filename = d.filename;
  out.content_type = d.content_type;
  out.size_bytes = static_cast<int>(d.content.size());
  out.sha256 = d.sha256;
  out.uploaded_by = d.uploaded_by;
  out.created_at = r["created_at"].as<int64_t>();
  return out;
}

std::optional<DocumentContent> FindDocumentContent(Tx& tx, const std::string& org_id,
                                                   const std::string& document_id) {
  auto rows = pg::Exec(tx, "documents/content", document_id, org_id);
  if (rows.empty()) return std::nullopt;
  DocumentContent c;
  c.content = pqxx::binarystring(rows[0]["content"]).str();
  c.content_type = rows[0]["content_type"].as<std::string>();
  c.filename = rows[0]["filename"].as<std::string>();
  return c;
}

bool HasDocuments(Tx& tx, const std::string& org_id) {
  return !pg::Exec(tx, "documents/any", org_id).empty();
}

std::vector<Document> ListDocuments(Tx& tx, const std::string& org_id) {
  std::vector<Document> out;
  for (const auto& d : pg::Exec(tx, "documents/list", org_id)) {
    Document doc;
    doc.id = d["id"].as<std::string>();
    doc.document_type = d["document_type"].as<std::string>();
    doc.filename = d["filename"].as<std::string>();
    doc.content_type = d["content_type"].as<std::string>();
    doc.size_bytes = d["size_bytes"].as<int>();
    doc.sha256 = d["sha256"].as<std::string>();
    doc.uploaded_by = d["uploaded_by"].as<std::string>();
    doc.created_at = d["created_at"].as<int64_t>();
    out.push_back(std::move(doc));
  }
  return out;
}

}  // namespace healthtech::org::storage
