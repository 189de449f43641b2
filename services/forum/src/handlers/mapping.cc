// storage's structs -> protos.
#include "handlers/common.h"

namespace healthtech::forum {

void ToProto(const storage::Post& r, bool moderator, Trust author, v1::Post* p) {
  p->set_id(r.id);
  p->set_thread_id(r.thread_id);
  if (r.parent_post_id) p->set_parent_post_id(*r.parent_post_id);
  p->set_depth(r.depth);
  p->set_author_id(r.author_id);
  p->set_author_display_name(r.author_name);
  p->set_status(StatusOf(r.status));
  bool show_body =
      r.status == "visible" || r.status == "pending_review" || (r.status == "hidden" && moderator);
  if (show_body) {
    p->set_body_markdown(r.body_markdown);
    p->set_body_html(r.body_html);
  }
  p->set_author_trust_level(static_cast<v1::TrustLevel>(author));
  p->set_vote_score(r.vote_score);
  p->set_my_vote(r.my_vote);
  p->set_accepted(r.accepted);
  p->mutable_created_at()->set_seconds(r.created_at);
  if (r.edited_at) p->mutable_edited_at()->set_seconds(*r.edited_at);
}

void ToProto(const storage::Thread& r, v1::Thread* t) {
  t->set_id(r.id);
  t->set_category_id(r.category_id);
  t->set_title(r.title);
  for (const auto& tag : r.tags) t->add_tags(tag);
  t->set_author_id(r.author_id);
  t->set_author_display_name(r.author_name);
  t->set_status(StatusOf(r.status));
  t->set_pinned(r.pinned);
  t->set_locked(r.locked);
  if (r.accepted_post_id) t->set_accepted_post_id(*r.accepted_post_id);
  t->set_reply_count(r.reply_count);
  t->set_vote_score(r.vote_score);
  t->set_following(r.following);
  if (r.status == "visible") t->set_excerpt(Excerpt(r.excerpt_text, 200));
  t->mutable_last_activity_at()->set_seconds(r.last_activity_at);
  t->mutable_created_at()->set_seconds(r.created_at);
}

void ToProto(const storage::Category& r, v1::Category* c) {
  c->set_id(r.id);
  c->set_name(r.name);
  c->set_slug(r.slug);
  c->set_description(r.description);
  c->mutable_rules()->set_who_can_post(WhoCanPostOf(r.who_can_post));
  c->mutable_rules()->set_first_post_approval(r.first_post_approval);
  c->mutable_rules()->set_slow_mode_seconds(r.slow_mode_seconds);
  c->set_position(r.position);
  c->set_thread_count(r.thread_count);
  c->mutable_created_at()->set_seconds(r.created_at);
}

void ToProto(const storage::PrivateThread& r, v1::PrivateThread* t) {
  t->set_id(r.id);
  t->set_patient_id(r.patient_id);
  t->set_practitioner_id(r.practitioner_id);
  t->set_practitioner_user_id(r.practitioner_user_id);
  t->set_practitioner_display_name(r.practitioner_display_name);
  if (r.appointment_id) t->set_appointment_id(*r.appointment_id);
  t->set_subject(r.subject);
  t->set_post_count(r.post_count);
  t->mutable_last_post_at()->set_seconds(r.last_post_at);
  t->mutable_created_at()->set_seconds(r.created_at);
}

void ToProto(const storage::PrivatePost& r, v1::PrivatePost* p) {
  p->set_id(r.id);
  p->set_thread_id(r.thread_id);
  p->set_author_id(r.author_id);
  p->set_author_display_name(r.author_display_name);
  p->set_body_markdown(r.body_markdown);
  p->set_body_html(r.body_html);
  p->mutable_created_at()->set_seconds(r.created_at);
}

}  // namespace healthtech::forum
