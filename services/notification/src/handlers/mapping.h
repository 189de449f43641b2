#pragma once
// Stored rows to the API's messages, and the API's enums to stored names.
#include <string>
#include <vector>

#include "healthtech/notification/v1/notification_service.pb.h"
#include "storage/store.h"

namespace healthtech::notification::handlers {

v1::NotificationCategory CategoryOf(const std::string& category);
void ToProto(const storage::Notification& n, v1::Notification* out);
// A delivery with its attempts.
void ToProto(const storage::Delivery& d, const std::vector<storage::Attempt>& attempts,
             v1::OutboundMessage* out);
// The stored channel name of a filter ("" for any).
std::string ChannelText(v1::Channel channel);

}  // namespace healthtech::notification::handlers
