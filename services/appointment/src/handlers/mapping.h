#pragma once
// Between the wire (protobuf) and storage/domain values: modes, statuses, instants, and an
// appointment as the API returns it; and the payload of appointment events.
#include <cstdint>
#include <string>

#include <google/protobuf/timestamp.pb.h>
#include <nlohmann/json.hpp>

#include "healthtech/appointment/v1/appointment_service.pb.h"
#include "healthtech/org/v1/org_service.pb.h"
#include "storage/store.h"

namespace healthtech::appointment::handlers {

std::string ModeText(int mode);  // "" when not in_person / video
v1::ConsultationMode ModeOf(const std::string& text);
v1::AppointmentStatus StatusOf(const std::string& text);
std::string StatusText(v1::AppointmentStatus s);  // "" for unspecified

double Seconds(const google::protobuf::Timestamp& t);
// Whole microseconds since the epoch (PostgreSQL's resolution), exact for every RFC 3339
// instant, and back.
int64_t Micros(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp FromMicros(int64_t us);
void SetTs(google::protobuf::Timestamp* t, double seconds);
double NowSeconds();

// Who and where an appointment at `facility_id` names, from organization-service's answer at
// booking time: practitioner name and specialty, facility name, address, phone and
// organization, and for video the room (`video_url`, kept when the appointment moves).
nlohmann::json DetailsOf(const org::v1::PractitionerBookingInfo& info,
                         const std::string& facility_id, const std::string& video_url);
// The facility's address on one line ("1 MG Road, Bengaluru, Karnataka 560001").
std::string AddressLine(const nlohmann::json& details);

void ToProto(const storage::Appointment& a, v1::Appointment* out);

// What every appointment event carries: identifiers, times, status and fee — never the
// reason (PHI). `extra` adds event-specific fields.
nlohmann::json EventPayload(const storage::Appointment& a,
                            const nlohmann::json& extra = nlohmann::json::object());

}  // namespace healthtech::appointment::handlers
