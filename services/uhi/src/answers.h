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
#include "healthtech/uhi/domain/discovery.h"

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
};

class Answers {
 public:
  Answers(const Config& config, std::shared_ptr<grpc::Channel> org,
          std::shared_ptr<grpc::Channel> appointment);
  ~Answers();

  // UNAVAILABLE when a service it needs does not answer (the worker tries again later).
  // Runs outside any transaction (it waits on other services).
  absl::StatusOr<Outcome> Search(const domain::SearchIntent& intent, const std::string& request_id);

 private:
  struct Stubs;
  const Config& config_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace healthtech::uhi
