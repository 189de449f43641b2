// UpsertMyPractitionerProfile, GetMyPractitionerProfile, GetPractitioner, SearchPractitioners.
#include <algorithm>
#include <cmath>

#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/org/domain/rules.h"
#include "healthtech/org/domain/search_terms.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::SubjectOf;
namespace st = status;

namespace {

// The profile asked for, as stored, or the violations of `v`.
storage::ProfileInput ValidateProfile(const v1::UpsertMyPractitionerProfileRequest& req,
                                      std::vector<st::Violation>* v) {
  storage::ProfileInput p;
  p.display_name = validate::Trim(req.display_name());
  CheckName(p.display_name, 2, 120, "display_name", v);
  p.specialties = NormalizeList({req.specialties().begin(), req.specialties().end()});
  if (p.specialties.empty()) v->push_back({"specialties", "give at least one specialty"});
  if (p.specialties.size() > 10) v->push_back({"specialties", "at most 10"});
  for (const auto& s : p.specialties)
    if (s.size() > 60) v->push_back({"specialties", "each at most 60 characters"});
  for (const auto& q : req.qualifications()) {
    std::string t = validate::Trim(q);
    if (!t.empty()) p.qualifications.push_back(t);
    if (t.size() > 120) v->push_back({"qualifications", "each at most 120 characters"});
  }
  if (p.qualifications.size() > 20) v->push_back({"qualifications", "at most 20"});
  p.languages = NormalizeList({req.languages().begin(), req.languages().end()});
  for (const auto& l : p.languages) {
    if (!ValidLanguage(l)) v->push_back({"languages", "must be ISO 639-1 codes, e.g. en, hi"});
  }
  if (req.years_of_experience() < 0 || req.years_of_experience() > 80)
    v->push_back({"years_of_experience", "must be between 0 and 80"});
  if (validate::CodePoints(req.bio()) > 4000)
    v->push_back({"bio", "must be at most 4000 characters"});
  for (int m : req.consultation_modes()) {
    std::string t = handlers::ModeText(static_cast<v1::ConsultationMode>(m));
    auto& modes = p.consultation_modes;
    if (t.empty())
      v->push_back({"consultation_modes", "must be in_person or video"});
    else if (std::find(modes.begin(), modes.end(), t) == modes.end())
      modes.push_back(t);
  }
  if (p.consultation_modes.empty())
    v->push_back({"consultation_modes", "give at least one of in_person, video"});
  int64_t first = req.fees().first_visit().amount_minor(),
          follow = req.fees().follow_up().amount_minor();
  std::string currency =
      req.fees().first_visit().currency().empty() ? "INR" : req.fees().first_visit().currency();
  if (first < 0) v->push_back({"fees.first_visit.amount_minor", "must not be negative"});
  if (follow < 0) v->push_back({"fees.follow_up.amount_minor", "must not be negative"});
  if (first > 10'000'000 || follow > 10'000'000)
    v->push_back({"fees", "must be at most 1,00,000.00"});
  if (currency != "INR") v->push_back({"fees.first_visit.currency", "only INR is supported"});
  if (!req.fees().follow_up().currency().empty() && req.fees().follow_up().currency() != currency)
    v->push_back({"fees.follow_up.currency", "must match fees.first_visit.currency"});
  p.registration_number = validate::Trim(req.registration_number());
  p.years_of_experience = req.years_of_experience();
  p.bio = req.bio();
  p.fee_first_visit_minor = first;
  p.fee_follow_up_minor = follow;
  p.currency = currency;
  p.gender = handlers::GenderText(req.gender());
  if (req.gender() != v1::GENDER_UNSPECIFIED && p.gender.empty())
    v->push_back({"gender", "must be female, male or other"});
  if (!validate::Trim(req.hpr_id()).empty()) {
    p.hpr_id = NormalizeHprId(req.hpr_id());
    if (p.hpr_id.empty())
      v->push_back({"hpr_id", "must be the 14-digit HPR ID, e.g. 71-4453-8853-6840"});
  }
  if (!validate::Trim(req.hpr_address()).empty()) {
    p.hpr_address = NormalizeHprAddress(validate::Trim(req.hpr_address()));
    if (p.hpr_address.empty())
      v->push_back({"hpr_address", "must be an HPR address, e.g. meera.iyer@hpr.abdm"});
  }
  return p;
}

// The fee ranges of search's facets, by their lowest fee after the first (minor units): up to
// ₹300, ₹300.01–500, ₹500.01–1,000, ₹1,000.01–2,000, over ₹2,000.
const std::vector<int64_t> kFeeRangeBounds = {30001, 50001, 100001, 200001};

void LoadFacets(const storage::Facets& f, v1::SearchFacets* out) {
  out->set_total(f.total);
  auto add = [](const std::vector<storage::FacetValue>& from, auto* to) {
    for (const auto& v : from) {
      auto* c = to->Add();
      c->set_value(v.value);
      c->set_count(v.count);
    }
  };
  add(f.specialties, out->mutable_specialties());
  add(f.cities, out->mutable_cities());
  add(f.languages, out->mutable_languages());
  add(f.modes, out->mutable_modes());
  add(f.genders, out->mutable_genders());
  for (size_t i = 0; i < f.fee_ranges.size(); ++i) {
    auto* r = out->add_fee_ranges();
    r->set_fee_min_minor(i == 0 ? 0 : kFeeRangeBounds[i - 1]);
    if (i < kFeeRangeBounds.size()) r->set_fee_max_minor(kFeeRangeBounds[i] - 1);
    r->set_count(f.fee_ranges[i]);
  }
}

const absl::Status& PractitionerNotFound() {
  static const absl::Status s = st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
  return s;
}

}  // namespace

grpc::Status OrgServiceImpl::UpsertMyPractitionerProfile(
    Ctx* ctx, const v1::UpsertMyPractitionerProfileRequest* req, v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    storage::ProfileInput profile = ValidateProfile(*req, &v);
    profile.user_id = caller->sub;
    std::vector<std::string> facility_ids;
    for (const auto& f : req->facility_ids()) {
      if (!validate::ValidUuid(f))
        v.push_back({"facility_ids", "must be facility ids"});
      else if (std::find(facility_ids.begin(), facility_ids.end(), f) == facility_ids.end())
        facility_ids.push_back(f);
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      // Facilities must belong to organizations where the caller is a practitioner.
      if (storage::AllowedFacilities(tx, facility_ids, caller->sub).size() != facility_ids.size()) {
        return st::ValidationFailed(
            {{"facility_ids",
              "every facility must belong to an organization where you are a practitioner"}});
      }
      auto upserted = storage::UpsertPractitioner(tx, profile);
      if (!upserted) {
        return st::Conflict("HPR_ID_TAKEN",
                            "Another practitioner's profile has this HPR ID or HPR address.");
      }
      const std::string& id = *upserted;
      storage::SetPractitionerFacilities(tx, id, facility_ids);
      auto saved = storage::FindPractitioner(tx, id);
      if (!saved) return st::Internal("practitioner " + id + " not readable after upsert");
      handlers::LoadPractitioner(tx, *saved, true, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::GetMyPractitionerProfile(Ctx* ctx,
                                                      const v1::GetMyPractitionerProfileRequest*,
                                                      v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      return handlers::LoadOwnPractitioner(tx, caller->sub, resp);
    });
  });
}

grpc::Status OrgServiceImpl::GetPractitioner(Ctx* ctx, const v1::GetPractitionerRequest* req,
                                             v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    std::string sub;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      sub = caller->sub;
    }
    const bool by_hpr = req->id().empty() && !req->hpr_address().empty();
    if (by_hpr) {
      if (auto s = grpc_server::CheckInternalToken(*ctx, config_.internal_token); !s.ok()) return s;
    } else if (!validate::ValidUuid(req->id())) {
      return PractitionerNotFound();
    }
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      std::string id = req->id();
      if (by_hpr) {
        auto found = storage::FindPractitionerIdByHprAddress(
            tx, NormalizeHprAddress(validate::Trim(req->hpr_address())));
        if (!found) return PractitionerNotFound();
        id = *found;
      }
      auto p = storage::FindPractitioner(tx, id);
      if (!p) return PractitionerNotFound();
      bool owner = p->user_id == sub;
      handlers::LoadPractitioner(tx, *p, owner, resp);
      // Only practitioners of verified organizations are public.
      if (!owner && !resp->verified()) {
        resp->Clear();
        return PractitionerNotFound();
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::SearchPractitioners(Ctx* ctx,
                                                 const v1::SearchPractitionersRequest* req,
                                                 v1::SearchPractitionersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    std::vector<st::Violation> v;
    storage::SearchQuery q;
    // People write "cardiologist", "Bangalore" and "Hindi": each is taken as the specialty,
    // city and language code profiles store (search_terms.h).
    q.q = SpecialtyTerms(validate::Trim(req->q()));
    if (validate::CodePoints(q.q) > 200) v.push_back({"q", "must be at most 200 characters"});
    q.specialty = SpecialtyOf(req->specialty());
    q.language = LanguageCode(req->language());
    if (q.language.empty() && !validate::Trim(req->language()).empty())
      v.push_back({"language", "must be a language, by name (Hindi) or code (hi)"});
    q.mode = handlers::ModeText(req->mode());
    q.available_on = req->available_on();
    switch (req->sort()) {
      case v1::SEARCH_SORT_SOONEST:
        q.sort = "soonest";
        break;
      case v1::SEARCH_SORT_FEE:
        q.sort = "fee";
        break;
      case v1::SEARCH_SORT_EXPERIENCE:
        q.sort = "experience";
        break;
      case v1::SEARCH_SORT_DISTANCE:
        q.sort = "distance";
        break;
      default:
        q.sort = "";
        break;
    }
    // Near a point: nearest first unless another order is asked for.
    if (req->has_latitude() != req->has_longitude()) {
      v.push_back({req->has_latitude() ? "longitude" : "latitude",
                   "give both latitude and longitude, or neither"});
    } else if (req->has_latitude()) {
      if (!std::isfinite(req->latitude()) || std::abs(req->latitude()) > 90)
        v.push_back({"latitude", "must be between -90 and 90"});
      if (!std::isfinite(req->longitude()) || std::abs(req->longitude()) > 180)
        v.push_back({"longitude", "must be between -180 and 180"});
      q.latitude = req->latitude();
      q.longitude = req->longitude();
      if (req->sort() == v1::SEARCH_SORT_UNSPECIFIED) q.sort = "distance";
    }
    double radius_km = req->has_radius_km() ? req->radius_km() : 10.0;
    if (!std::isfinite(radius_km) || radius_km < 0.1 || radius_km > 100)
      v.push_back({"radius_km", "must be between 0.1 and 100"});
    else if (req->has_radius_km() && !q.latitude)
      v.push_back({"radius_km", "give latitude and longitude to search within a radius"});
    q.radius_meters = radius_km * 1000;
    if (q.sort == "distance" && !req->has_latitude() && !req->has_longitude())
      v.push_back({"sort", "distance needs latitude and longitude"});
    if (!q.available_on.empty() && !validate::ValidDate(q.available_on))
      v.push_back({"available_on", "must be a date YYYY-MM-DD"});
    q.gender = handlers::GenderText(req->gender());
    if (req->gender() != v1::GENDER_UNSPECIFIED && q.gender.empty())
      v.push_back({"gender", "must be female, male or other"});
    constexpr int64_t kMaxFee = 10'000'000;  // as a profile's
    if (req->has_fee_min_minor()) {
      q.fee_min = req->fee_min_minor();
      if (q.fee_min < 0 || q.fee_min > kMaxFee)
        v.push_back({"fee_min_minor", "must be between 0 and 10000000"});
    }
    if (req->has_fee_max_minor()) {
      q.fee_max = req->fee_max_minor();
      if (q.fee_max < 0 || q.fee_max > kMaxFee)
        v.push_back({"fee_max_minor", "must be between 0 and 10000000"});
      else if (q.fee_max < q.fee_min)
        v.push_back({"fee_max_minor", "must not be less than fee_min_minor"});
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = paging::Limit(req->limit());
    q.city = CityNames(req->city());
    q.limit = limit + 1;
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      // A query that is only a specialty ("cardiologist") is that specialty: a filter, the
      // soonest free first — every cardiologist matches "cardiology" equally, and a text rank
      // would only tell them apart by how often their bio repeats the word.
      if (auto named = SpecialtyQuery(q.q); !named.empty() &&
                                            (q.specialty.empty() || q.specialty == named) &&
                                            storage::SpecialtyListed(tx, named)) {
        q.specialty = named;
        q.q.clear();
        if (q.sort.empty()) q.sort = "soonest";
      }
      // A page token belongs to one order.
      const std::string token_kind = q.sort.empty() ? "practitioners" : "practitioners." + q.sort;
      if (!req->page_token().empty()) {
        auto pos = page_tokens_.Decode(token_kind, req->page_token(), 2);
        if (!pos.ok()) return pos.status();
        if (!paging::FiniteDoubleField((*pos)[0]).ok() || !validate::ValidUuid((*pos)[1]))
          return paging::InvalidPageToken();
        q.after = true;
        q.after_score = (*pos)[0];
        q.after_id = (*pos)[1];
      }
      // Pages are read in keyset order. available_on is one indexed predicate on the
      // read model of the appointment service's free days (migration V0004).
      auto page = storage::SearchPractitioners(tx, q);
      // The page's facilities in one query, not one per result.
      std::vector<std::string> ids;
      for (int i = 0; i < static_cast<int>(page.size()) && i < limit; ++i)
        ids.push_back(page[i].id);
      const auto facilities = storage::ListedFacilities(tx, ids);
      static const std::vector<storage::PractitionerFacility> kNone;
      for (int i = 0; i < static_cast<int>(page.size()) && i < limit; ++i) {
        auto* item = resp->add_items();
        auto f = facilities.find(page[i].id);
        handlers::LoadPractitioner(page[i], f == facilities.end() ? kNone : f->second, item);
        if (!page[i].next_free_day.empty()) item->set_next_free_day(page[i].next_free_day);
        if (page[i].meters) item->set_distance_meters(*page[i].meters);
      }
      if (static_cast<int>(page.size()) > limit) {
        resp->set_next_page_token(
            page_tokens_.Encode(token_kind, {page[limit - 1].score, page[limit - 1].id}));
      }
      // Every match counted, not only the page; with the same names by trigram as the page
      // when the text finds less than a page.
      if (req->facets()) {
        // The same for everyone who searches alike: counted at most once per
        // SEARCH_FACETS_TTL_MS (served a little old meanwhile, never the results).
        LoadFacets(
            facets_.Get(q.MatchKey(),
                        [&] { return storage::SearchFacets(tx, q, q.limit, kFeeRangeBounds); }),
            resp->mutable_facets());
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
