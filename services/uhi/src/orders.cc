// The order half of the HSPA: init holds an offered slot, confirm books it, status reads it,
// cancel cancels it, each through the appointment service as the patient of the order's ABHA
// address (IAM gives uhi-service a five-minute token for that patient), so every rule of a
// platform booking applies unchanged: one appointment per slot (the EXCLUDE constraint), the
// patient's overlaps, the hold's expiry, the practitioner's cancellation cut-off.
#include <sodium.h>

#include <cctype>
#include <chrono>

#include "answers.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "stubs.h"

namespace healthtech::uhi {

using nlohmann::json;
namespace d = domain;
namespace av1 = appointment::v1;
using Tx = pqxx::transaction_base;

struct Answers::StoredOrder {
  std::string id, consumer_id, transaction_id, slot_id, patient_id, abha_address, name, phone, mode,
      state, pin, payment_uri, gateway_order_id;
  json app_order;  // the order as the app sent it at init: echoed in every answer
};

namespace {

json ErrorJson(const std::string& type, const std::string& code, const std::string& message) {
  return json{{"type", type}, {"code", code}, {"message", message}};
}

// The platform's sentence for people (what a patient app shows) and its reason code.
std::string Reason(const grpc::Status& s) { return status::ProblemFromGrpc(s).detail; }

bool Has(const grpc::Status& s, std::string_view reason) {
  return status::ProblemFromGrpc(s).code == reason;
}

std::string IndiaTime(const google::protobuf::Timestamp& t) {
  return d::FormatIndiaTime(d::Seconds(std::chrono::seconds(t.seconds())));
}

// "pending_payment" for APPOINTMENT_STATUS_PENDING_PAYMENT.
std::string StatusText(av1::AppointmentStatus status) {
  std::string name = av1::AppointmentStatus_Name(status);
  constexpr std::string_view kPrefix = "APPOINTMENT_STATUS_";
  if (name.rfind(kPrefix, 0) == 0) name.erase(0, kPrefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

json NoSuchOrder() {
  return ErrorJson("DOMAIN-ERROR", "30010", "No order with this id was made by this app.");
}

std::string NewPin() { return d::PinText(randombytes_uniform(10000)); }

// A key for CreateAppointment from what the init asks: the same slot in the same transaction
// of the same app (an app's retry under a new message id, or a worker that died after
// booking) replays the same appointment.
std::string IdempotencyKey(const std::string& sender, const std::string& transaction_id,
                           const std::string& slot_id) {
  const std::string what = sender + "\n" + transaction_id + "\n" + slot_id;
  unsigned char h[16];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(what.data()), what.size(),
                     nullptr, 0);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string("uhi-init:") + hex;
}

json Term(const std::string& type, const std::string& name, const std::string& text,
          const std::string& state) {
  return json{{"type", type},
              {"descriptor", {{"name", name}, {"short_desc", text}, {"long_desc", text}}},
              {"reasonRequired", false},
              {"timePeriod", ""},
              {"reason", ""},
              {"termsState", state}};
}

// The five terms an order carries (WIRE.md §3.5), as the platform's rules stand.
json Terms(const av1::Appointment& a, const std::string& state) {
  const bool fee = a.has_fee() && a.fee().amount_minor() > 0;
  const bool online = fee && !a.pay_at_clinic();
  std::string cancel = "Cancel through your app at no cost";
  if (a.has_cancellable_until())
    cancel += " until " + IndiaTime(a.cancellable_until()) + " IST; after that, call the clinic";
  cancel += ".";
  return json::array(
      {Term("Commercial", "Commercial",
            fee ? "The consultation fee as quoted, to the clinic." : "The consultation is free.",
            state),
       Term("Settlement", "Settlement",
            online ? "Paid through the platform's payment gateway, settled to the clinic."
                   : "Paid to the clinic directly; nothing is settled online.",
            state),
       Term("Cancellation", "Cancellation", cancel, state),
       Term("Refund", "Refund",
            online ? "Cancelled in time, or by the clinic: refunded in full to the way you paid."
                   : "Nothing is paid before the visit, so nothing is refunded.",
            state),
       Term("Payment", "Payment",
            online ? "Pay online through the payment link before the hold ends, then confirm."
            : fee  ? "Pay at the clinic at the time of the visit."
                   : "No payment is due.",
            state)});
}

// How the patient gets in: the PIN shown at the desk (physical, never logged) or the video
// link (online).
void AddVisitAccess(json& order, const std::string& mode, const std::string& pin,
                    const av1::Appointment& a) {
  json& f = order["fulfillment"];
  if (mode == "Physical" && !pin.empty()) {
    f["authorization"] = {{"type", "PIN"},
                          {"token", pin},
                          {"valid_from", IndiaTime(a.start())},
                          {"valid_to", IndiaTime(a.end())},
                          {"status", "GENERATED"}};
  }
  if (mode == "Online" && !a.video_url().empty()) {
    f["tags"]["@abdm/gov.in/teleconsultation/uri"] = a.video_url();
  }
}

}  // namespace

// The order every answer carries: the app's order from init with what the platform says
// now (our id, the slot's times, the price, the quote, the payment, the terms).
static json OrderJson(const Config& config, const Answers::StoredOrder& o,
                      const av1::Appointment& a, const std::string& state,
                      const std::string& terms_state) {
  const int64_t fee = a.has_fee() ? a.fee().amount_minor() : 0;
  json order = o.app_order.is_object() ? o.app_order : json::object();
  order["id"] = a.id();
  if (!state.empty()) order["state"] = state;
  if (!order["provider"].is_object()) order["provider"] = json::object();
  order["provider"]["descriptor"] = {{"name", a.facility_name()}};
  json& item = order["item"];
  if (!item.is_object()) item = json::object();
  if (!item.contains("id")) item["id"] = "0";
  item["descriptor"] = {{"name", "Consultation"}, {"code", "CONSULTATION"}};
  item["price"] = {{"currency", "INR"}, {"value", d::Rupees(fee)}};
  item["fulfillment_id"] = o.slot_id;
  json& f = order["fulfillment"];
  if (!f.is_object()) f = json::object();
  f["id"] = o.slot_id;
  f["type"] = o.mode;
  f["start"] = {{"time", {{"timestamp", IndiaTime(a.start())}}}};
  f["end"] = {{"time", {{"timestamp", IndiaTime(a.end())}}}};
  if (!f["tags"].is_object()) f["tags"] = json::object();
  f["tags"]["@abdm/gov.in/slot_id"] = o.slot_id;
  // No chat through UHI; whom to call instead.
  f["tags"]["@abdm/gov.in/messaging_support"] = "false";
  f["tags"]["@abdm/gov.in/helpline_number"] =
      config.helpline_number.empty() ? a.facility_phone() : config.helpline_number;
  json quote = d::Quote(fee, config.gst_rate_bps);
  order["quote"] = quote;
  json payment = order["payment"].is_object() ? order["payment"] : json::object();
  const bool online = fee > 0 && !a.pay_at_clinic();
  payment["type"] = online ? "PRE-ORDER" : fee > 0 ? "ON-ORDER" : "FREE";
  payment["status"] = fee <= 0                                       ? "FREE"
                      : a.payment_state() == av1::PAYMENT_STATE_PAID ? "PAID"
                                                                     : "NOT-PAID";
  payment["tl_method"] = "http/get";
  if (!payment["params"].is_object()) payment["params"] = json::object();
  payment["params"]["amount"] = quote["price"]["value"];
  if (online && !o.payment_uri.empty()) {
    payment["uri"] = o.payment_uri;  // the platform's checkout for this appointment
    payment["params"]["transaction_id"] = o.gateway_order_id;
  }
  order["payment"] = payment;
  order["terms"] = Terms(a, terms_state);
  return order;
}

absl::StatusOr<std::optional<Answers::StoredOrder>> Answers::FindOrder(
    const std::string& id, const std::string& consumer_id) {
  std::optional<StoredOrder> out;
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) {
    auto r = tx.exec_params(
        "SELECT id::text, consumer_id, transaction_id, slot_id::text, patient_id::text, "
        "abha_address, name, phone, mode, state, coalesce(pin, ''), app_order::text, "
        "coalesce(payment_uri, ''), coalesce(gateway_order_id, '') "
        "FROM uhi.orders WHERE id = $1::uuid AND consumer_id = $2",
        id, consumer_id);
    if (r.empty()) return absl::OkStatus();
    StoredOrder o;
    o.id = r[0][0].as<std::string>();
    o.consumer_id = r[0][1].as<std::string>();
    o.transaction_id = r[0][2].as<std::string>();
    o.slot_id = r[0][3].as<std::string>();
    o.patient_id = r[0][4].as<std::string>();
    o.abha_address = r[0][5].as<std::string>();
    o.name = r[0][6].as<std::string>();
    o.phone = r[0][7].as<std::string>();
    o.mode = r[0][8].as<std::string>();
    o.state = r[0][9].as<std::string>();
    o.pin = r[0][10].as<std::string>();
    o.app_order = json::parse(r[0][11].as<std::string>(), nullptr, false);
    o.payment_uri = r[0][12].as<std::string>();
    o.gateway_order_id = r[0][13].as<std::string>();
    out = std::move(o);
    return absl::OkStatus();
  });
  if (!s.ok()) return absl::UnavailableError("database: " + std::string(s.message()));
  return out;
}

absl::StatusOr<Answers::Patient> Answers::ResolvePatient(const std::string& abha_address,
                                                         const std::string& name,
                                                         const std::string& request_id) {
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
  iam::v1::ResolveAbhaPatientRequest req;
  req.set_abha_address(abha_address);
  req.set_full_name(name);
  iam::v1::ResolveAbhaPatientResponse resp;
  grpc::Status s = stubs_->iam->ResolveAbhaPatient(&ctx, req, &resp);
  if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
    return absl::InvalidArgumentError(s.error_message());
  // Anything else (IAM down, or failing) is tried again later.
  if (!s.ok()) return absl::UnavailableError("iam service: " + s.error_message());
  return Patient{resp.user_id(), resp.access_token()};
}

absl::StatusOr<std::string> Answers::PatientToken(const StoredOrder& order,
                                                  const std::string& request_id) {
  auto patient = ResolvePatient(order.abha_address, order.name, request_id);
  if (!patient.ok()) return absl::UnavailableError(patient.status().message());
  if (patient->user_id != order.patient_id) {
    return absl::InternalError("the ABHA address's account changed");
  }
  return patient->token;
}

absl::Status Answers::SaveLastOrder(const std::string& id, const std::string& state,
                                    const json& order) {
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) {
    tx.exec_params(
        "UPDATE uhi.orders SET last_order = $2::jsonb, state = coalesce(nullif($3, ''), state), "
        "updated_at = now() WHERE id = $1::uuid",
        id, order.dump(), state);
    return absl::OkStatus();
  });
  if (!s.ok()) return absl::UnavailableError("database: " + std::string(s.message()));
  return absl::OkStatus();
}

namespace {
void AsPatient(grpc::ClientContext& ctx, const std::string& internal_token,
               const std::string& request_id, const std::string& token) {
  grpc_server::PrepareInternalCall(ctx, internal_token, request_id);
  ctx.AddMetadata("authorization", "Bearer " + token);
}
}  // namespace

absl::StatusOr<Outcome> Answers::Init(const d::InitOrder& in, const Sender& sender,
                                      const json& app_order, const json& init_context) {
  Outcome out;
  const std::string request_id = "uhi-" + sender.context->message_id;
  auto refuse = [&](const std::string& code, const std::string& message) {
    json order = app_order;
    order["state"] = "FAILED";
    out.message = {{"order", order}};
    out.error = ErrorJson("DOMAIN-ERROR", code, message);
    return out;
  };
  // The slot, as we offered it.
  struct {
    std::string practitioner_id, facility_id, mode;
    int64_t start = 0;
    bool found = false;
  } slot;
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) {
    auto r = tx.exec_params(
        "SELECT practitioner_id::text, facility_id::text, mode, "
        "extract(epoch FROM starts_at)::bigint FROM uhi.offered_slots WHERE id = $1::uuid",
        in.slot_id);
    if (r.empty()) return absl::OkStatus();
    slot = {r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
            r[0][3].as<int64_t>(), true};
    return absl::OkStatus();
  });
  if (!s.ok()) return absl::UnavailableError("database: " + std::string(s.message()));
  if (!slot.found) {
    return refuse("30004", "This slot was not offered by this HSPA; search for slots again.");
  }
  if (!in.type.empty() && in.type != slot.mode) {
    return refuse("30008", "This slot is for a " + slot.mode + " consultation.");
  }
  StoredOrder order;
  order.consumer_id = sender.subscriber_id;
  order.transaction_id = sender.context->transaction_id;
  order.slot_id = in.slot_id;
  order.abha_address = in.abha_address;
  order.name = in.name;
  order.phone = in.phone;
  order.mode = slot.mode;
  order.app_order = app_order;
  auto patient = ResolvePatient(in.abha_address, in.name, request_id);
  if (absl::IsInvalidArgument(patient.status())) {
    return refuse("30008", "customer.id must be the patient's ABHA address (name@abdm).");
  }
  if (!patient.ok()) return patient.status();
  order.patient_id = patient->user_id;

  grpc::ClientContext ctx;
  AsPatient(ctx, config_.internal_token, request_id, patient->token);
  av1::CreateAppointmentRequest req;
  req.set_practitioner_id(slot.practitioner_id);
  req.set_facility_id(slot.facility_id);
  req.mutable_start()->set_seconds(slot.start);
  req.set_mode(slot.mode == "Online" ? av1::CONSULTATION_MODE_VIDEO
                                     : av1::CONSULTATION_MODE_IN_PERSON);
  const bool online = slot.mode == "Online";
  req.set_pay_at_clinic(!online);
  req.set_hold(true);
  req.set_idempotency_key(
      IdempotencyKey(sender.subscriber_id, sender.context->transaction_id, in.slot_id));
  av1::Appointment a;
  grpc::Status g = stubs_->appointment->CreateAppointment(&ctx, req, &a);
  if (Transient(g)) return absl::UnavailableError("appointment service: " + g.error_message());
  if (!g.ok()) {
    log::Info("uhi_init_refused", {{"message_id", sender.context->message_id},
                                   {"code", static_cast<int>(g.error_code())},
                                   {"error", g.error_message()}});
    if (Has(g, "PRACTITIONER_NOT_FOUND"))
      return refuse("30001", "This doctor cannot be booked here any more.");
    return refuse("30008", Reason(g));
  }
  if (a.status() == av1::APPOINTMENT_STATUS_EXPIRED ||
      a.status() == av1::APPOINTMENT_STATUS_CANCELLED) {
    // This transaction held the slot before, and that hold is over.
    return refuse("30008", "The hold on this slot has ended; search for slots again.");
  }
  order.id = a.id();
  if (online && a.has_fee() && a.fee().amount_minor() > 0) {
    // The payment link: the platform's checkout for this appointment, as its patient.
    grpc::ClientContext pay_ctx;
    AsPatient(pay_ctx, config_.internal_token, request_id, patient->token);
    pay_ctx.AddMetadata("idempotency-key", req.idempotency_key() + ":pay");
    payment::v1::CreatePaymentRequest pay;
    pay.set_appointment_id(a.id());
    payment::v1::CreatePaymentResponse link;
    g = stubs_->payment->CreatePayment(&pay_ctx, pay, &link);
    if (Transient(g)) return absl::UnavailableError("payment service: " + g.error_message());
    if (!g.ok()) {
      log::Warn("uhi_payment_link_refused", {{"order_id", a.id()}, {"error", g.error_message()}});
      // The hold goes with the refusal: the slot and the patient's time are free again.
      grpc::ClientContext cancel_ctx;
      AsPatient(cancel_ctx, config_.internal_token, request_id, patient->token);
      av1::CancelAppointmentRequest release;
      release.set_id(a.id());
      release.set_reason("The payment could not be set up");
      av1::Appointment released;
      grpc::Status r = stubs_->appointment->CancelAppointment(&cancel_ctx, release, &released);
      if (!r.ok())
        log::Warn("uhi_hold_not_released", {{"order_id", a.id()}, {"error", r.error_message()}});
      return refuse("30008", "The payment could not be set up; try again later.");
    }
    order.payment_uri = link.checkout_url();
    order.gateway_order_id = link.gateway_order_id();
  }
  s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) {
    tx.exec_params(
        "INSERT INTO uhi.orders (id, consumer_id, transaction_id, slot_id, patient_id, "
        "abha_address, name, phone, mode, app_order, init_context, payment_uri, gateway_order_id) "
        "VALUES ($1::uuid, $2, $3, $4::uuid, $5::uuid, $6, $7, $8, $9, $10::jsonb, $11::jsonb, "
        "nullif($12, ''), nullif($13, '')) ON CONFLICT (id) DO NOTHING",
        order.id, order.consumer_id, order.transaction_id, order.slot_id, order.patient_id,
        order.abha_address, order.name, order.phone, order.mode, app_order.dump(),
        init_context.dump(), order.payment_uri, order.gateway_order_id);
    return absl::OkStatus();
  });
  // Not recorded: answered again later; the appointment is replayed by its key.
  if (!s.ok()) return absl::UnavailableError("database: " + std::string(s.message()));
  out.message = {{"order", OrderJson(config_, order, a, "", "INITIATED")}};
  return out;
}

absl::StatusOr<Outcome> Answers::Confirm(const std::string& order_id, const Sender& sender) {
  Outcome out;
  out.audit = true;
  const std::string request_id = "uhi-" + sender.context->message_id;
  auto found = FindOrder(order_id, sender.subscriber_id);
  if (!found.ok()) return found.status();
  if (!*found) {
    out.audit = false;
    out.error = NoSuchOrder();
    return out;
  }
  StoredOrder& order = **found;
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
  av1::ConfirmHoldRequest req;
  req.set_appointment_id(order.id);
  av1::Appointment a;
  grpc::Status g = stubs_->appointment->ConfirmHold(&ctx, req, &a);
  if (Transient(g)) return absl::UnavailableError("appointment service: " + g.error_message());
  std::string state, pin;
  if (g.ok()) {
    state = d::OrderState(StatusText(a.status()));  // CONFIRMED, or further on by now
    if (state == "CANCELLED") {
      out.error = ErrorJson("DOMAIN-ERROR", "30008", "This order was cancelled.");
    }
  } else {
    // An expired hold fails the order; one still waiting for its payment stays as it is.
    state = Has(g, "HOLD_EXPIRED") && order.state != "CANCELLED" ? "FAILED" : order.state;
    out.error = ErrorJson(
        "DOMAIN-ERROR", "30008",
        Has(g, "HOLD_EXPIRED") ? "The slot's hold ended before the confirmation; book again."
        : Has(g, "INVALID_TRANSITION") ? "Not paid yet: pay through the order's payment link, "
                                         "then confirm."
                                       : Reason(g));
    log::Info("uhi_confirm_refused", {{"order_id", order.id}, {"error", g.error_message()}});
  }
  absl::Status s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](Tx& tx) {
    auto r = tx.exec_params(
        "UPDATE uhi.orders SET state = CASE WHEN state IN ('INITIALIZED', 'CONFIRMED') THEN $2 "
        "ELSE state END, pin = CASE WHEN $2 = 'CONFIRMED' AND mode = 'Physical' "
        "THEN coalesce(pin, $3) ELSE pin END, updated_at = now() "
        "WHERE id = $1::uuid RETURNING coalesce(pin, '')",
        order.id, state, NewPin());
    if (!r.empty()) pin = r[0][0].as<std::string>();
    return absl::OkStatus();
  });
  if (!s.ok()) return absl::UnavailableError("database: " + std::string(s.message()));
  if (!g.ok() || state == "CANCELLED") {
    json o = order.app_order;
    o["id"] = order.id;
    o["state"] = state;
    out.message = {{"order", o}};
    return out;
  }
  json o = OrderJson(config_, order, a, state, "AGREED");
  AddVisitAccess(o, order.mode, pin, a);
  if (auto saved = SaveLastOrder(order.id, "", o); !saved.ok()) return saved;
  out.message = {{"order", o}};
  return out;
}

absl::StatusOr<Outcome> Answers::Status(const std::string& order_id, const Sender& sender) {
  Outcome out;
  const std::string request_id = "uhi-" + sender.context->message_id;
  auto found = FindOrder(order_id, sender.subscriber_id);
  if (!found.ok()) return found.status();
  if (!*found) {
    out.error = NoSuchOrder();
    return out;
  }
  StoredOrder& order = **found;
  auto token = PatientToken(order, request_id);
  if (!token.ok()) return token.status();
  grpc::ClientContext ctx;
  AsPatient(ctx, config_.internal_token, request_id, *token);
  av1::GetAppointmentRequest req;
  req.set_id(order.id);
  av1::Appointment a;
  grpc::Status g = stubs_->appointment->GetAppointment(&ctx, req, &a);
  if (Transient(g)) return absl::UnavailableError("appointment service: " + g.error_message());
  if (!g.ok()) {
    out.error = ErrorJson("DOMAIN-ERROR", "30010", Reason(g));
    return out;
  }
  out.audit = true;
  const std::string state = d::OrderState(StatusText(a.status()));
  json o = OrderJson(config_, order, a, state, "AGREED");
  if (state == "CONFIRMED") AddVisitAccess(o, order.mode, order.pin, a);
  out.message = {{"order", o}};
  return out;
}

absl::StatusOr<Outcome> Answers::Cancel(const d::CancelOrder& cancel, const Sender& sender) {
  Outcome out;
  const std::string request_id = "uhi-" + sender.context->message_id;
  auto found = FindOrder(cancel.order_id, sender.subscriber_id);
  if (!found.ok()) return found.status();
  if (!*found) {
    out.error = NoSuchOrder();
    return out;
  }
  StoredOrder& order = **found;
  auto token = PatientToken(order, request_id);
  if (!token.ok()) return token.status();
  grpc::ClientContext ctx;
  AsPatient(ctx, config_.internal_token, request_id, *token);
  av1::CancelAppointmentRequest req;
  req.set_id(order.id);
  req.set_reason(d::CancelReasonText(cancel.reason_code, cancel.reason_text));
  av1::Appointment a;
  grpc::Status g = stubs_->appointment->CancelAppointment(&ctx, req, &a);
  if (Transient(g)) return absl::UnavailableError("appointment service: " + g.error_message());
  if (!g.ok() && Has(g, "INVALID_TRANSITION")) {
    // Cancelled before (this app's retry, or the clinic): answered as it stands.
    grpc::ClientContext again;
    AsPatient(again, config_.internal_token, request_id, *token);
    av1::GetAppointmentRequest get;
    get.set_id(order.id);
    grpc::Status r = stubs_->appointment->GetAppointment(&again, get, &a);
    if (Transient(r)) return absl::UnavailableError("appointment service: " + r.error_message());
    if (r.ok() && a.status() == av1::APPOINTMENT_STATUS_CANCELLED) g = grpc::Status::OK;
  }
  if (!g.ok()) {
    out.error = ErrorJson("DOMAIN-ERROR", "50001",
                          Has(g, "CANCELLATION_CUTOFF_PASSED")
                              ? "Too late to cancel through the app; call the clinic."
                              : Reason(g));
    json o = order.app_order;
    o["id"] = order.id;
    out.message = {{"order", o}};
    return out;
  }
  out.audit = true;
  json o = OrderJson(config_, order, a, "CANCELLED", "AGREED");
  o["fulfillment"]["tags"]["@abdm/gov.in/cancelledby"] = "patient";
  if (!cancel.reason_code.empty())
    o["fulfillment"]["tags"]["@abdm/gov.in/cancelReason"] = cancel.reason_code;
  if (auto saved = SaveLastOrder(order.id, "CANCELLED", o); !saved.ok()) return saved;
  out.message = {{"order", o}};
  return out;
}

}  // namespace healthtech::uhi
