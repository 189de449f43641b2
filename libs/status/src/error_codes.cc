#include "healthtech/status/error_codes.h"

#include <algorithm>

namespace healthtech::status {

const std::vector<ErrorCode>& ErrorCodes() {
  static const std::vector<ErrorCode> kCodes = [] {
    std::vector<ErrorCode> v = {
        // 400: the request itself is wrong.
        {"VALIDATION_FAILED", 400, "Fields are missing or invalid; `errors` names each one."},
        {"MALFORMED_JSON", 400, "The body is not a JSON object."},
        {"BAD_REQUEST", 400, "The HTTP request cannot be read safely (framing, syntax)."},
        {"INVALID_PAGE_TOKEN", 400, "The page token was not issued by this list."},
        {"NOT_A_SLOT", 400, "The time is not one of the practitioner's bookable slots."},
        {"ACCESS_REASON_REQUIRED", 400, "A platform admin must give a reason to read this."},
        {"APPOINTMENT_MISMATCH", 400, "The appointment does not belong to this conversation."},
        {"CURRENT_PASSWORD_INCORRECT", 400, "The current password is wrong."},
        {"LINK_INVALID", 400, "The link (verification, reset, invitation) is wrong or expired."},
        {"MFA_CODE_INVALID", 400, "The authenticator or recovery code is wrong or expired."},
        {"REFUND_EXCEEDS_CAPTURED", 400, "More than what remains of the payment."},
        {"SIGNATURE_INVALID", 400, "The checkout signature does not match the payment."},
        {"THREAD_TOO_DEEP", 400, "Replies nest at most a few levels deep."},
        {"WATCHED_WORD", 400, "The text contains a word the moderators block."},
        {"OWN_PRACTITIONER_PROFILE", 400, "Staff add practitioners by invitation."},
        // 401: who is calling is unknown.
        {"AUTH_REQUIRED", 401, "Sign in: the operation needs an access token."},
        {"TOKEN_INVALID", 401, "The access token is not valid."},
        {"TOKEN_EXPIRED", 401, "The access token has expired: refresh it."},
        {"TOKEN_REVOKED", 401, "The session was ended: refresh or sign in again."},
        {"INVALID_CREDENTIALS", 401, "Wrong email, password or sign-in code."},
        {"REFRESH_TOKEN_INVALID", 401, "The refresh token is not valid (sign in again)."},
        {"WEBHOOK_SIGNATURE_INVALID", 401, "The gateway's webhook signature is missing or wrong."},
        // 403: known, and not allowed.
        {"FORBIDDEN", 403, "The caller may not do this."},
        {"EMAIL_NOT_VERIFIED", 403, "Verify the email address first."},
        {"FORUM_SUSPENDED", 403, "The caller is suspended from the forum for now."},
        {"CATEGORY_RESTRICTED", 403, "This forum category takes posts from some roles only."},
        {"INVITATION_FOR_ANOTHER_EMAIL", 403, "The invitation is for another email address."},
        {"SELF_BOOKING", 403, "Practitioners cannot book themselves."},
        {"OWN_POST", 403, "Authors cannot vote on or flag their own posts."},
        {"CORS_ORIGIN_NOT_ALLOWED", 403, "This origin may not call the API."},
        // 404
        {"NOT_FOUND", 404, "No such resource."},
        {"APPOINTMENT_NOT_FOUND", 404, "No such appointment visible to the caller."},
        {"AVAILABILITY_NOT_FOUND", 404, "The practitioner has not published availability."},
        {"CATEGORY_NOT_FOUND", 404, "No such forum category."},
        {"DELIVERY_NOT_FOUND", 404, "No such outbound message."},
        {"DOCUMENT_NOT_FOUND", 404, "No such document visible to the caller."},
        {"GATEWAY_NOT_FOUND", 404, "No such payment gateway."},
        {"INVOICE_NOT_FOUND", 404, "No such invoice visible to the caller."},
        {"MEMBER_NOT_FOUND", 404, "No such member of the organization."},
        {"NOTIFICATION_NOT_FOUND", 404, "No such notification of the caller."},
        {"ORGANIZATION_NOT_FOUND", 404, "No such organization visible to the caller."},
        {"PARENT_POST_NOT_FOUND", 404, "The post replied to is not in this thread."},
        {"PAYMENT_NOT_FOUND", 404, "No such payment visible to the caller."},
        {"PHOTO_NOT_FOUND", 404, "The practitioner has no photo, or is not visible to the caller."},
        {"POST_NOT_FOUND", 404, "No such post visible to the caller."},
        {"PRACTITIONER_NOT_FOUND", 404, "No such verified practitioner."},
        {"PRIVATE_THREAD_NOT_FOUND", 404, "No such private thread of the caller."},
        {"THREAD_NOT_FOUND", 404, "No such thread visible to the caller."},
        {"USER_NOT_FOUND", 404, "No such user."},
        {"NO_SIGNING_KEY", 404, "No signing key."},
        {"METHOD_NOT_ALLOWED", 405, "The path exists with other methods (see Allow)."},
        // 409: the request is fine; the state of things forbids it now.
        {"CONFLICT", 409, "A concurrent change won; try again."},
        {"IDEMPOTENCY_KEY_REUSED", 409, "The Idempotency-Key was used for another request."},
        {"SLOT_UNAVAILABLE", 409, "The slot has just been taken."},
        {"HOLD_EXPIRED", 409, "The hold on the slot has ended."},
        {"PATIENT_OVERLAP", 409, "The patient already has an appointment at that time."},
        {"INVALID_TRANSITION", 409, "The resource's status does not allow this step."},
        {"ALREADY_ISSUED", 409, "Already issued."},
        {"EMAIL_TAKEN", 409, "An account with this email exists."},
        {"CATEGORY_EXISTS", 409, "A category with this slug exists."},
        {"HPR_ID_TAKEN", 409, "Another practitioner's profile has this HPR ID or HPR address."},
        {"ALREADY_FLAGGED", 409, "The caller flagged this post already."},
        {"MFA_ALREADY_ENABLED", 409, "Two-step sign-in is already on."},
        {"MFA_NOT_ENABLED", 409, "Two-step sign-in is off."},
        {"MFA_NOT_ENROLLING", 409, "Start the enrolment first."},
        {"DELIVERY_NOT_FAILED", 409, "Only a failed message can be retried."},
        {"CANCELLATION_CUTOFF_PASSED", 409, "Too late to cancel; contact the clinic."},
        {"DOCUMENTS_REQUIRED", 409, "Upload a verification document first."},
        {"EDIT_WINDOW_CLOSED", 409, "Posts can be edited for 24 hours."},
        {"LAST_ORG_ADMIN", 409, "An organization keeps at least one admin."},
        {"LAST_PLATFORM_ADMIN", 409, "The platform keeps at least one admin."},
        {"NOTHING_TO_RESTORE", 409, "The post is not hidden or deleted."},
        {"NOT_BOOKABLE", 409, "The practitioner cannot be booked there now."},
        {"NOT_PAYABLE", 409, "The appointment is not waiting for a payment."},
        {"NOT_REFUNDABLE", 409, "The payment cannot be refunded (now)."},
        {"PARENT_POST_CLOSED", 409, "The post replied to is deleted or hidden."},
        {"POST_NOT_EDITABLE", 409, "The post can no longer be changed."},
        {"POST_NOT_FLAGGABLE", 409, "The post cannot be flagged."},
        {"POST_NOT_VOTABLE", 409, "The post cannot be voted on."},
        {"THREAD_LOCKED", 409, "The thread is locked."},
        {"TOO_EARLY", 409, "Not before the appointment's start."},
        {"GATEWAY_REJECTED", 409, "The payment gateway refused the operation."},
        {"AMOUNT_MISMATCH", 409, "The captured amount does not match the order."},
        // Limits.
        {"PAYLOAD_TOO_LARGE", 413, "The body is larger than the operation accepts."},
        {"UNSUPPORTED_MEDIA_TYPE", 415, "Send the body with a Content-Type the operation takes."},
        {"UPGRADE_REQUIRED", 426, "A WebSocket endpoint: send an upgrade request."},
        {"RATE_LIMITED", 429, "Too many requests; see Retry-After."},
        {"LOGIN_THROTTLED", 429, "Too many failed sign-ins; see Retry-After."},
        {"SLOW_MODE", 429, "This forum category allows one post per interval."},
        {"HEADERS_TOO_LARGE", 431, "The request headers are too large."},
        // Ours.
        {"INTERNAL", 500, "An unexpected error (logged with the request id)."},
        {"NOT_IMPLEMENTED", 501, "Not implemented."},
        {"BAD_GATEWAY", 502, "A service answered something unreadable."},
        {"SERVICE_UNAVAILABLE", 503, "A part of the platform is unavailable; retry."},
        {"SHUTTING_DOWN", 503, "This server is shutting down; retry."},
        {"DATABASE_BUSY", 503, "The database is busy; retry."},
        {"DATABASE_TIMEOUT", 503, "The database did not answer in time; retry."},
        {"DATABASE_UNAVAILABLE", 503, "The database is unavailable; retry."},
        {"REDIS_UNAVAILABLE", 503, "Redis is unavailable; retry."},
        {"REDIS_TIMEOUT", 503, "Redis did not answer in time; retry."},
        {"IAM_UNAVAILABLE", 503, "Accounts are unavailable; retry."},
        {"ORG_UNAVAILABLE", 503, "Organizations are unavailable; retry."},
        {"APPOINTMENTS_UNAVAILABLE", 503, "Appointments are unavailable; retry."},
        {"GATEWAY_UNAVAILABLE", 503, "The payment gateway is unavailable; retry."},
        {"SINK_UNAVAILABLE", 503, "The development mail or SMS sink is unavailable."},
        {"DEADLINE_EXCEEDED", 504, "A service did not answer in time; retry."},
    };
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
    return v;
  }();
  return kCodes;
}

const ErrorCode* FindErrorCode(std::string_view code) {
  const auto& v = ErrorCodes();
  auto it = std::lower_bound(v.begin(), v.end(), code,
                             [](const ErrorCode& e, std::string_view c) { return e.code < c; });
  return it != v.end() && it->code == code ? &*it : nullptr;
}

}  // namespace healthtech::status
