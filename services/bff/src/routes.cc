// The REST routes of every service. Add a line here and the route exists, is
// documented in /v1/openapi.json, authenticated, rate limited and measured.
#include "router.h"

namespace healthtech::bff {
namespace {

// The routes of one service. Each names its method and path, the RPC (relative to the
// service), a summary for the OpenAPI document, whether it needs a signed-in caller (by
// default it does), the success status, and a tag when not the service's own.
struct Service {
  const char* name;        // downstream short name: "iam", "org", ...
  const char* rpc_prefix;  // "healthtech.iam.v1.IamService."
  const char* tag;

  Route operator()(std::string method, std::string path, const std::string& rpc,
                   std::string summary, bool auth = true, int success = 200,
                   std::string other_tag = "") const {
    Route r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.service = name;
    r.rpc = rpc_prefix + rpc;
    r.summary = std::move(summary);
    r.tag = other_tag.empty() ? tag : std::move(other_tag);
    r.auth = auth;
    r.success_status = success;
    return r;
  }
};

constexpr const char* kIam = "healthtech.iam.v1.IamService.";
constexpr const char* kOrg = "healthtech.org.v1.OrgService.";
constexpr const char* kAppointment = "healthtech.appointment.v1.AppointmentService.";
constexpr const char* kPayment = "healthtech.payment.v1.PaymentService.";
constexpr const char* kNotification = "healthtech.notification.v1.NotificationService.";
constexpr const char* kForum = "healthtech.forum.v1.ForumService.";
constexpr const char* kUhi = "healthtech.uhi.v1.UhiService.";

// The HSPA endpoints of the Unified Health Interface (issue 16), where the network reaches
// the platform: <subscriber_url>/<action>. Signed by participants, not by our tokens; each
// answers in the network's shape (ACK, or NACK with 400/401), never a problem document.
std::vector<Route> UhiRoutes() {
  const Service uhi{"uhi", kUhi, "uhi"};
  std::vector<Route> routes;
  routes.push_back(uhi("GET", "/uhi/subscriber", "GetSubscriber",
                       "The platform on the UHI network: subscriber id, key id, public key, URL",
                       false));
  const std::pair<const char*, const char*> actions[] = {
      {"search", "A search: from the gateway (a first search) or a patient's app (free slots)"},
      {"init", "Hold an offered slot for a patient (ABHA address); on_init quotes it"},
      {"confirm", "Book the held slot; on_confirm gives the PIN or the video link"},
      {"status", "An order's state; on_status answers"},
      {"cancel", "Cancel an order under the practitioner's cut-off; on_cancel answers"},
      {"on_update", "A patient's app reporting a doctor's no-show (recorded)"},
      {"message", "Chat (not offered: answers a NACK)"},
      {"select", "Not used for doctor consultations on UHI (answers a NACK)"}};
  for (const auto& [action, summary] : actions) {
    Route r = uhi("POST", std::string("/uhi/") + action, "Receive", summary, false);
    r.fixed_fields = {{"action", action}};
    r.raw_body_field = "body";
    r.raw_body_always = true;
    r.raw_body_description =
        "A Beckn 0.7.1 message (`context` and `message`), signed over these exact bytes.";
    r.header_fields = {{"Authorization", "authorization"},
                       {"X-Gateway-Authorization", "gateway_authorization"},
                       {"Proxy-Authorization", "proxy_authorization"}};
    r.raw_response_field = "body";
    r.raw_response_type_field = "content_type";
    r.raw_response_status_field = "http_status";
    r.raw_response_header_fields = {{"WWW-Authenticate", "www_authenticate"},
                                    {"Proxy-Authenticate", "proxy_authenticate"}};
    // The service down or failing: still the network's NACK ("send again").
    r.upstream_error_body =
        R"({"message":{"ack":{"status":"NACK"}},"error":{"type":"CORE-ERROR","code":"UHI-1407",)"
        R"("path":"","message":"The HSPA is unavailable for a moment; send the message again."}})";
    // Participants are known by their signatures; a gateway fans out from one address.
    r.rate_limited = false;
    routes.push_back(std::move(r));
  }
  return routes;
}

// The forum's REST surface (issue 6).
std::vector<Route> ForumRoutes() {
  const Service forum{"forum", kForum, "forum"};
  return {
      forum("GET", "/v1/forum/categories", "ListCategories", "Forum categories with their rules",
            false),
      forum("POST", "/v1/forum/categories", "CreateCategory",
            "Add a category with its rules (platform admins)", true, 201),
      forum("GET", "/v1/forum/threads", "ListThreads",
            "Threads by category or tag, pinned first (sort=latest|top|unanswered)", false),
      forum("POST", "/v1/forum/threads", "CreateThread",
            "Open a thread (Markdown body; may wait for review)", true, 201),
      forum("GET", "/v1/forum/threads/{thread_id=id}", "GetThread",
            "A thread with a page of its reply tree", false),
      forum("POST", "/v1/forum/threads/{thread_id}/posts", "CreatePost",
            "Reply to a thread or to one of its posts", true, 201),
      forum("PUT", "/v1/forum/threads/{thread_id}/accepted-answer", "AcceptAnswer",
            "Mark a reply as the accepted answer (the thread's author; empty post_id clears)",
            true),
      forum("POST", "/v1/forum/threads/{thread_id}/follow", "FollowThread",
            "Follow a thread (notified of replies)", true),
      forum("DELETE", "/v1/forum/threads/{thread_id}/follow", "UnfollowThread",
            "Stop following a thread", true),
      forum("PATCH", "/v1/forum/posts/{post_id=id}", "EditPost",
            "Edit your post within 24 hours (history kept)", true),
      forum("GET", "/v1/forum/posts/{post_id=id}/edits", "ListPostEdits",
            "Earlier versions of a post, newest first (its author and moderators)", true),
      forum("DELETE", "/v1/forum/posts/{post_id=id}", "DeletePost",
            "Delete your post (it shows as deleted)", true),
      forum("PUT", "/v1/forum/posts/{post_id=id}/vote", "VotePost", "Vote on a post: -1, 0 or 1",
            true),
      forum("POST", "/v1/forum/posts/{post_id}/flags", "FlagPost", "Flag a post for moderators",
            true, 201),
      forum("GET", "/v1/forum/search", "Search",
            "Full-text search with highlighted snippets, best first", false),
      forum("POST", "/v1/forum/private-threads", "CreatePrivateThread",
            "Open a private thread with a practitioner", true, 201, "forum-private"),
      forum("GET", "/v1/forum/private-threads", "ListPrivateThreads",
            "Your private threads, latest first", true, 200, "forum-private"),
      forum("GET", "/v1/forum/private-threads/{thread_id=id}", "GetPrivateThread",
            "A private thread with its posts (platform admins give an access_reason; audited)",
            true, 200, "forum-private"),
      forum("POST", "/v1/forum/private-threads/{thread_id}/posts", "CreatePrivatePost",
            "Reply in a private thread", true, 201, "forum-private"),
      forum("GET", "/v1/forum/moderation/queue", "GetModerationQueue",
            "Posts waiting for a moderator (moderators)", true, 200, "forum-moderation"),
      forum("POST", "/v1/forum/posts/{post_id}/moderation", "ModeratePost",
            "Approve, hide, delete or restore a post (moderators)", true, 200, "forum-moderation"),
      forum("POST", "/v1/forum/threads/{thread_id}/lock", "LockThread",
            "Lock or unlock a thread (moderators)", true, 200, "forum-moderation"),
      forum("POST", "/v1/forum/threads/{thread_id}/pin", "PinThread",
            "Pin or unpin a thread (moderators)", true, 200, "forum-moderation"),
      forum("POST", "/v1/forum/users/{user_id}/suspension", "SuspendUser",
            "Suspend a user from the forum, or lift it with duration_seconds 0 (moderators)", true,
            200, "forum-moderation"),
      forum("GET", "/v1/forum/moderation/watched-words", "ListWatchedWords",
            "The watched-words list (moderators)", true, 200, "forum-moderation"),
      forum("PUT", "/v1/forum/moderation/watched-words", "SetWatchedWords",
            "Replace the watched-words list (moderators)", true, 200, "forum-moderation"),
  };
}

}  // namespace

std::vector<Route> AllRoutes() {
  LinkAllProtos();
  const Service iam{"iam", kIam, "auth"};
  std::vector<Route> routes = {
      iam("POST", "/v1/auth/register", "Register", "Create an account (role patient)", false, 201),
      iam("POST", "/v1/auth/verify-email", "VerifyEmail", "Confirm an email address", false),
      iam("POST", "/v1/auth/resend-verification", "ResendVerification",
          "Send the verification email again", false, 202),
      iam("POST", "/v1/auth/login", "Login", "Sign in with email and password", false),
      iam("POST", "/v1/auth/mfa/verify", "VerifyMfa",
          "Complete sign-in with a TOTP or recovery code", false),
      iam("POST", "/v1/auth/mfa/totp/enroll", "EnrollTotp", "Start TOTP enrolment", true),
      iam("POST", "/v1/auth/mfa/totp/activate", "ActivateTotp",
          "Activate TOTP and receive recovery codes", true),
      iam("DELETE", "/v1/auth/mfa/totp", "DisableTotp", "Turn TOTP off (needs a current code)",
          true),
      iam("POST", "/v1/auth/refresh", "Refresh", "Rotate the refresh token for a new pair", false),
      iam("POST", "/v1/auth/logout", "Logout", "End this session", false),
      iam("POST", "/v1/auth/logout-all", "LogoutAll", "End every session of the caller", true),
      iam("POST", "/v1/auth/password/forgot", "ForgotPassword", "Email a password reset link",
          false, 202),
      iam("POST", "/v1/auth/password/reset", "ResetPassword",
          "Set a new password with a reset token", false),
      iam("GET", "/v1/me", "GetMe", "The caller's profile", true, 200, "me"),
      iam("PATCH", "/v1/me", "UpdateMe", "Update the caller's profile", true, 200, "me"),
      iam("POST", "/v1/me/password", "ChangePassword", "Change the caller's password", true, 200,
          "me"),
      iam("POST", "/v1/admin/users/{user_id}/roles", "GrantRole", "Grant a role (platform admins)",
          true, 200, "admin"),
      iam("DELETE", "/v1/admin/users/{user_id}/roles/{role}", "RevokeRole",
          "Revoke a role (platform admins)", true, 200, "admin"),
      iam("POST", "/v1/admin/signing-keys/rotate", "RotateSigningKey",
          "Rotate the token signing key (platform admins)", true, 200, "admin"),
  };
  Route jwks = iam("GET", "/.well-known/jwks.json", "GetJwks", "Public keys of access tokens",
                   false, 200, "auth");
  jwks.cache_control = "public, max-age=300";
  jwks.rate_limited = false;
  routes.push_back(jwks);
  const Service org{"org", kOrg, "organizations"};
  std::vector<Route> org_routes = {
      org("POST", "/v1/organizations", "CreateOrganization",
          "Register an organization (pending verification; you become its admin)", true, 201),
      org("GET", "/v1/organizations/{organization_id=id}", "GetOrganization", "One organization",
          false),
      org("PATCH", "/v1/organizations/{organization_id=id}", "UpdateOrganization",
          "Update an organization (its admins)", true),
      org("POST", "/v1/organizations/{organization_id}/submit", "SubmitForVerification",
          "Submit for verification", true),
      org("POST", "/v1/organizations/{organization_id}/facilities", "CreateFacility",
          "Add a facility", true, 201),
      org("GET", "/v1/organizations/{organization_id}/facilities", "ListFacilities",
          "Facilities of an organization", false),
      org("POST", "/v1/organizations/{organization_id=org_id}/staff", "InviteStaff",
          "Invite a staff member", true, 201, "staff"),
      org("GET", "/v1/organizations/{organization_id=org_id}/staff", "ListStaff",
          "Members and pending invitations", true, 200, "staff"),
      org("DELETE", "/v1/organizations/{organization_id=org_id}/staff/{user_id}", "RemoveStaff",
          "Remove a member (or one of its roles)", true, 200, "staff"),
      org("POST", "/v1/invitations/{token}/accept", "AcceptInvitation", "Accept a staff invitation",
          true, 200, "staff"),
      org("GET", "/v1/admin/verifications", "ListVerifications",
          "Organizations awaiting a decision (platform admins)", true, 200, "admin"),
      org("POST", "/v1/admin/organizations/{organization_id}/verification", "DecideVerification",
          "Approve, reject or request changes (platform admins)", true, 200, "admin"),
      org("PUT", "/v1/practitioners/me", "UpsertMyPractitionerProfile",
          "Create or replace your practitioner profile", true, 200, "practitioners"),
      org("GET", "/v1/practitioners/me", "GetMyPractitionerProfile",
          "Your own practitioner profile (also before your organization is verified)", true, 200,
          "practitioners"),
      org("GET", "/v1/practitioners", "SearchPractitioners", "Search verified practitioners", false,
          200, "practitioners"),
      org("GET", "/v1/practitioners/{practitioner_id=id}", "GetPractitioner",
          "A practitioner's public profile", false, 200, "practitioners"),
  };
  Route upload =
      org("POST", "/v1/organizations/{organization_id}/documents", "UploadDocument",
          "Upload a verification document (PDF, PNG or JPEG, at most 5 MiB): raw body "
          "with its Content-Type and ?document_type=&filename=, or JSON with base64 content",
          true, 201);
  upload.max_body_bytes = 8 * 1024 * 1024;  // 5 MiB raw, or base64 in JSON
  upload.raw_body_field = "content";
  upload.raw_content_type_field = "content_type";
  org_routes.push_back(upload);
  Route document = org("GET", "/v1/organizations/{organization_id}/documents/{document_id}/content",
                       "GetDocumentContent",
                       "A verification document's file (the organization's admins and staff, "
                       "platform admins)",
                       true);
  document.raw_response_field = "content";
  document.raw_response_type_field = "content_type";
  document.raw_response_filename_field = "filename";
  org_routes.push_back(document);
  Route photo = org("PUT", "/v1/practitioners/me/photo", "SetMyPractitionerPhoto",
                    "Replace your profile photo (JPEG or PNG, at most 5 MiB): raw body with its "
                    "Content-Type, or JSON with base64 content",
                    true, 200, "practitioners");
  photo.max_body_bytes = 8 * 1024 * 1024;  // 5 MiB raw, or base64 in JSON
  photo.raw_body_field = "content";
  photo.raw_content_type_field = "content_type";
  org_routes.push_back(photo);
  org_routes.push_back(org("DELETE", "/v1/practitioners/me/photo", "DeleteMyPractitionerPhoto",
                           "Remove your profile photo", true, 200, "practitioners"));
  Route photo_file =
      org("GET", "/v1/practitioners/{practitioner_id=id}/photo", "GetPractitionerPhoto",
          "A practitioner's photo (a 320-pixel square JPEG); its URL is versioned by content, "
          "so it may be cached for good",
          false, 200, "practitioners");
  photo_file.raw_response_field = "content";
  photo_file.raw_response_type_field = "content_type";
  photo_file.raw_response_filename_field = "filename";
  photo_file.cache_control = "public, max-age=31536000, immutable";
  org_routes.push_back(photo_file);
  routes.insert(routes.end(), org_routes.begin(), org_routes.end());
  const Service appt{"appointment", kAppointment, "appointments"};
  std::vector<Route> appointment_routes = {
      appt("PUT", "/v1/practitioners/{practitioner_id}/availability", "PutAvailability",
           "Set weekly hours, extra hours and time off (the practitioner or their org admin)", true,
           200, "availability"),
      appt("GET", "/v1/practitioners/{practitioner_id}/availability", "GetAvailability",
           "A practitioner's published availability", false, 200, "availability"),
      appt("GET", "/v1/practitioners/{practitioner_id}/slots", "ListSlots",
           "Free slots between from and to (at most 31 days), in UTC with the facility's zone",
           false, 200, "availability"),
      appt("POST", "/v1/practitioners/{practitioner_id}/waitlist", "JoinWaitlist",
           "Wait for a free slot between two dates", true, 201, "availability"),
      appt("POST", "/v1/appointments", "CreateAppointment", "Book a slot (send an Idempotency-Key)",
           true, 201),
      appt("GET", "/v1/appointments", "ListAppointments",
           "Your appointments (role=patient|practitioner|org)", true),
      appt("GET", "/v1/appointments/{appointment_id=id}", "GetAppointment", "One appointment",
           true),
      appt("POST", "/v1/appointments/{appointment_id=id}/cancel", "CancelAppointment", "Cancel",
           true),
      appt("POST", "/v1/appointments/{appointment_id=id}/reschedule", "RescheduleAppointment",
           "Move to another free slot, atomically", true),
      appt("POST", "/v1/appointments/{appointment_id=id}/check-in", "CheckIn",
           "Check the patient in", true),
      appt("POST", "/v1/appointments/{appointment_id=id}/start", "Start", "Start the consultation",
           true),
      appt("POST", "/v1/appointments/{appointment_id=id}/complete", "Complete",
           "Complete the consultation", true),
      appt("POST", "/v1/appointments/{appointment_id=id}/no-show", "MarkNoShow", "Mark a no-show",
           true),
  };
  routes.insert(routes.end(), appointment_routes.begin(), appointment_routes.end());
  const Service pay{"payment", kPayment, "payments"};
  std::vector<Route> payment_routes = {
      pay("POST", "/v1/payments", "CreatePayment",
          "Start paying for a pending_payment appointment (send an Idempotency-Key)", true, 201),
      pay("GET", "/v1/payments", "ListPayments", "Payments you may see", true),
      pay("GET", "/v1/payments/{payment_id=id}", "GetPayment", "One payment", true),
      pay("POST", "/v1/payments/{payment_id}/verify", "VerifyPayment",
          "Confirm a checkout with its signature", true),
      pay("POST", "/v1/payments/{payment_id}/refunds", "CreateRefund",
          "Refund all or part of a payment (org admins, platform admins; send an Idempotency-Key)",
          true, 201),
  };
  // The ".pdf" template first: "{id}" alone would also match "<id>.pdf".
  Route pdf = pay("GET", "/v1/invoices/{invoice_id=id}.pdf", "GetInvoicePdf",
                  "An invoice or credit note as a PDF", true);
  pdf.raw_response_field = "pdf";
  pdf.raw_response_type_field = "content_type";
  pdf.raw_response_filename_field = "filename";
  payment_routes.push_back(pdf);
  payment_routes.push_back(
      pay("GET", "/v1/invoices/{invoice_id=id}", "GetInvoice", "An invoice or credit note", true));
  // One literal path per gateway: "/v1/payments/webhooks/{gateway}" would overlap
  // "/v1/payments/{payment_id}/refunds", and an unknown gateway is simply not a path (404).
  Route webhook =
      pay("POST", "/v1/payments/webhooks/razorpay", "HandleGatewayWebhook",
          "Razorpay webhooks, authenticated by X-Razorpay-Signature over the raw body", false);
  webhook.fixed_fields = {{"gateway", "razorpay"}};
  webhook.raw_body_field = "raw_body";
  webhook.raw_body_always = true;
  webhook.header_fields = {{"X-Razorpay-Signature", "signature"}};
  webhook.rate_limited = false;
  payment_routes.push_back(webhook);
  routes.insert(routes.end(), payment_routes.begin(), payment_routes.end());
  const Service notify{"notification", kNotification, "notifications"};
  routes.push_back(notify("GET", "/v1/notifications", "ListNotifications",
                          "Your in-app notifications, newest first, with the unread count"));
  routes.push_back(notify("POST", "/v1/notifications/read-all", "MarkAllRead",
                          "Mark all your notifications read"));
  routes.push_back(notify("POST", "/v1/notifications/{notification_id=id}/read", "MarkRead",
                          "Mark one notification read"));
  auto forum_routes = ForumRoutes();
  routes.insert(routes.end(), forum_routes.begin(), forum_routes.end());
  auto uhi_routes = UhiRoutes();
  routes.insert(routes.end(), uhi_routes.begin(), uhi_routes.end());
  routes.push_back(notify("GET", "/v1/notification-preferences", "GetPreferences",
                          "Your notification preferences (defaults when never set)"));
  routes.push_back(notify("PUT", "/v1/notification-preferences", "UpdatePreferences",
                          "Change channels per category, quiet hours or language"));
  routes.push_back(notify("GET", "/v1/admin/notifications/failed", "ListFailedNotifications",
                          "Messages whose delivery failed after every retry (platform admins)"));
  routes.push_back(notify("POST", "/v1/admin/notifications/{message_id=id}/retry",
                          "RetryNotification",
                          "Queue a failed message for another attempt (platform admins)"));
  // Reads back what the development email and SMS sinks received for an address.
  Route outbox = notify("GET", "/v1/dev/outbox", "ListDevOutbox",
                        "Development only: messages sent to an address", false, 200, "development");
  outbox.dev_only = true;
  routes.push_back(outbox);
  for (auto& r : routes) {
    if (r.rpc == std::string(kIam) + "Login" || r.rpc == std::string(kIam) + "VerifyMfa" ||
        r.rpc == std::string(kIam) + "Refresh")
      r.session_cookie = Route::SessionCookie::kIssue;
    if (r.rpc == std::string(kIam) + "Logout") r.session_cookie = Route::SessionCookie::kEnd;
  }
  return routes;
}

}  // namespace healthtech::bff
