#pragma once
// The business answers to what the network asks, from the platform's own services: a first
// search answered from the practitioner search (organization service), a second search
// from the appointment service's free slots (the same rules as a booking on the platform:
// notice, horizon, caps, time zones).
#include <memory>
#include <optional>
#include <string>

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>
#include <nlohmann/json.hpp>
#include <vector>

#include "config.h"
#include "healthtech/pg/pool.h"
#include "healthtech/uhi/domain/discovery.h"
#include "healthtech/uhi/domain/orders.h"

namespace healthtech::uhi {

// What goes in a callback: `message` and, for an answer that is a refusal, `error`. `send`
// is false when there is nothing to say (a gateway's search that matches nobody: the HSPA
// stays silent, as every provider does on a Beckn network).
struct OfferedSlot {
  std::string id, practitioner_id, facility_id, mode;
  int64_t start = 0, end = 0;  // Unix seconds
};

struct Outcome {
  nlohmann::json message = nlohmann::json::object();
  std::optional<nlohmann::json> error;
  bool send = true;
  std::vector<OfferedSlot> offered;  // to record with the answer (init names them)
  bool audit = false;                // a copy goes to the gateway (on_confirm, on_status, …)
};

// Who sent an order message, and which.
struct Sender {
  std::string subscriber_id;  // whose signature verified: the only one who may act on it
  const domain::Context* context = nullptr;
};

class Answers {
 public:
  Answers(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
          std::shared_ptr<grpc::Channel> org, std::shared_ptr<grpc::Channel> appointment,
          std::shared_ptr<grpc::Channel> payment);
  ~Answers();

  // UNAVAILABLE when a service it needs does not answer (the worker tries again later).
  // Runs outside any transaction (it waits on other services).
  absl::StatusOr<Outcome> Search(const domain::SearchIntent& intent, const std::string& request_id);

  // Orders (orders.cc), each acting as the patient of the ABHA address (an account created
  // or matched by IAM), so a UHI booking follows every rule of a platform booking.
  // init: the offered slot held (the platform's hold), the order priced and its terms; paid
  // at the clinic for a physical visit, through the platform's payment link for an online one.
  absl::StatusOr<Outcome> Init(const domain::InitOrder& order, const Sender& sender,
                               const nlohmann::json& app_order, const nlohmann::json& init_context);
  // confirm: the hold booked (to be paid at the facility), with a PIN or the video link.
  absl::StatusOr<Outcome> Confirm(const std::string& order_id, const Sender& sender);
  // status: the order as the appointment stands now.
  absl::StatusOr<Outcome> Status(const std::string& order_id, const Sender& sender);
  // cancel: the platform's cancellation (its cut-off applies).
  absl::StatusOr<Outcome> Cancel(const domain::CancelOrder& cancel, const Sender& sender);

  struct StoredOrder;  // a row of uhi.orders (orders.cc)

 private:
  struct Stubs;
  absl::StatusOr<std::optional<StoredOrder>> FindOrder(const std::string& id,
                                                       const std::string& consumer_id);
  // The order as the app was last told it (what unsolicited updates start from).
  absl::Status SaveLastOrder(const std::string& id, const std::string& state,
                             const nlohmann::json& order);
  // The account of an ABHA address and a five-minute token to act as it (IAM);
  // INVALID_ARGUMENT when it is not an ABHA address, UNAVAILABLE for anything else.
  struct Patient {
    std::string user_id, token;
  };
  absl::StatusOr<Patient> ResolvePatient(const std::string& abha_address, const std::string& name,
                                         const std::string& request_id);
  // The token of an order's patient (UNAVAILABLE: tried again later).
  absl::StatusOr<std::string> PatientToken(const StoredOrder& order, const std::string& request_id);

  const Config& config_;
  pg::Pool* pool_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace healthtech::uhi
