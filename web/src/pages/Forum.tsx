import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import DOMPurify from 'dompurify';
import { ApiError, del, get, patch, post, put } from '../api/client';
import { LoadMore, getAll, usePaged } from '../api/paged';
import type { components } from '../api/schema';
import { useClaims } from '../auth/session';
import { hasRole } from '../auth/tokens';
import { ErrorBox, Field, Notice, QueryState, Select, label } from '../components/ui';
import { browserTimeZone, dateTimeLabel } from '../lib/time';
import { buildReplyTree, parseTags, validateThread, type Post, type ReplyNode } from '../lib/forum';

type S = components['schemas'];
type Category = S['healthtech_forum_v1_Category'];
type Thread = S['healthtech_forum_v1_Thread'];
type ThreadPage = S['healthtech_forum_v1_GetThreadResponse'];
type SearchResult = S['healthtech_forum_v1_SearchResult'];
type PrivateThread = S['healthtech_forum_v1_PrivateThread'];
type PrivateThreadPage = S['healthtech_forum_v1_GetPrivateThreadResponse'];
type PrivatePost = S['healthtech_forum_v1_PrivatePost'];
type QueueItem = S['healthtech_forum_v1_ModerationQueueItem'];

const FLAG_REASONS = ['spam', 'abuse', 'misinformation', 'privacy', 'off_topic', 'other'] as const;

/** Server-rendered HTML is sanitized by the forum service; DOMPurify again in the browser (defence in depth). */
export function SafeHtml({ html, className }: { html?: string; className?: string }) {
  const clean = DOMPurify.sanitize(html ?? '', {
    ALLOWED_TAGS: ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'b', 'i', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'img', 'mark'],
    ALLOWED_ATTR: ['href', 'src', 'alt', 'title', 'rel'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/|#|[^:]*$)/i,
  });
  return <div className={className ?? 'post-body'} dangerouslySetInnerHTML={{ __html: clean }} />;
}

function useCategories() {
  // Every category (the list is paged by the API; a forum has tens, not thousands).
  return useQuery({ queryKey: ['forum-categories'], queryFn: () => getAll<Category>('/v1/forum/categories', {}, 1000), staleTime: 60_000 });
}

function isModerator(c: ReturnType<typeof useClaims>) {
  return hasRole(c, 'moderator') || hasRole(c, 'platform_admin');
}

function Author({ p }: { p: Post }) {
  return (
    <span className="author">
      {p.author_display_name || 'Someone'}
      {p.badge?.verified_practitioner && (
        <span className="status verified" title="Verified practitioner">
          ✓ {p.badge.specialty || 'practitioner'}
        </span>
      )}
    </span>
  );
}

// ------------------------------------------------------------------ browse and search
export function ForumHome() {
  const [params, setParams] = useSearchParams();
  const claims = useClaims();
  const cats = useCategories();
  const category = params.get('category') ?? '';
  const sort = params.get('sort') ?? 'latest';
  const tag = params.get('tag') ?? '';
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const list = usePaged<Thread>(['forum-threads', category, sort, tag], '/v1/forum/threads', { category_id: category, sort, tag, limit: 30 }, { enabled: !q });
  const search = usePaged<SearchResult>(['forum-search', q, category, tag], '/v1/forum/search', { q, category_id: category, tag, limit: 30 }, { enabled: !!q, keyOf: (r) => r.post_id });
  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next);
  };
  const catName = (id?: string) => cats.data?.items?.find((c) => c.id === id)?.name ?? '';
  const tz = browserTimeZone();
  return (
    <section>
      <h1>Community forum</h1>
      <p>
        {claims ? (
          <Link className="button" to={`/forum/new${category ? `?category=${category}` : ''}`}>
            Ask a question
          </Link>
        ) : (
          <>
            <Link to="/signin?next=/forum">Sign in</Link> to ask or reply.
          </>
        )}{' '}
        {claims && <Link to="/consultations">Private consultations</Link>}
        {claims && isModerator(claims) && (
          <>
            {' · '}
            <Link to="/moderation">Moderation queue</Link>
          </>
        )}
      </p>
      <form
        className="filters"
        role="search"
        aria-label="Search the forum"
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', text.trim());
        }}
      >
        <Field label="Search the forum" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <Select label="Category" value={category} onChange={(e) => setParam('category', e.target.value)}>
          <option value="">All categories</option>
          {(cats.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.thread_count ?? 0})
            </option>
          ))}
        </Select>
        <Select label="Sort" value={sort} onChange={(e) => setParam('sort', e.target.value)} disabled={!!q}>
          <option value="latest">Latest activity</option>
          <option value="top">Top voted</option>
          <option value="unanswered">Unanswered</option>
        </Select>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={cats.error} />
      {tag && (
        <p>
          Tagged <span className="tag">{tag}</span>{' '}
          <button type="button" className="link" onClick={() => setParam('tag', '')}>
            clear tag
          </button>
        </p>
      )}
      {q ? (
        <>
          <QueryState q={search} what="Searching">
            {(d) =>
              (d.items ?? []).length === 0 ? (
                <p>No posts match “{q}”.</p>
              ) : (
                <ul className="cards" aria-label="Search results">
                  {(d.items ?? []).map((r) => (
                    <li className="card" key={r.post_id}>
                      <h2>
                        <Link to={`/forum/threads/${r.thread_id}`}>{r.thread_title}</Link>
                      </h2>
                      <SafeHtml className="snippet" html={r.snippet_html} />
                      <p className="muted">
                        {r.author_display_name} · {catName(r.category_id)} · {dateTimeLabel(r.created_at, tz)}
                      </p>
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
          <LoadMore q={search} what="more results" />
        </>
      ) : (
        <>
          <QueryState q={list} what="Loading threads">
            {(d) =>
              (d.items ?? []).length === 0 ? (
                <p>No threads yet.</p>
              ) : (
                <ul className="cards" aria-label="Threads">
                  {(d.items ?? []).map((t) => (
                    <li className="card" key={t.id} data-testid="thread-item">
                      <h2>
                        {t.pinned && <span className="status">Pinned</span>} {t.locked && <span className="status">Locked</span>}{' '}
                        <Link to={`/forum/threads/${t.id}`}>{t.title}</Link>
                      </h2>
                      {t.excerpt && <p>{t.excerpt}</p>}
                      <p className="muted">
                        {t.author_display_name} · {catName(t.category_id)} · {t.reply_count ?? 0} replies · score {t.vote_score ?? 0}
                        {t.accepted_post_id ? ' · answered' : ''} · {dateTimeLabel(t.last_activity_at, tz)}
                      </p>
                      {(t.tags ?? []).length > 0 && (
                        <p>
                          {(t.tags ?? []).map((g) => (
                            <button type="button" key={g} className="tag" onClick={() => setParam('tag', g)}>
                              {g}
                            </button>
                          ))}
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
          <LoadMore q={list} what="more threads" />
        </>
      )}
    </section>
  );
}

// ------------------------------------------------------------------ new thread
export function NewThread() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const cats = useCategories();
  const [f, setF] = useState({ category_id: params.get('category') ?? '', title: '', body: '', tags: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: () => post<Thread>('/v1/forum/threads', { category_id: f.category_id, title: f.title.trim(), body: f.body, tags: parseTags(f.tags) }),
    onSuccess: (t) => navigate(`/forum/threads/${t.id}`),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs = validateThread(f.title, f.body, f.category_id);
    setErrors(errs);
    if (!Object.keys(errs).length) m.mutate();
  };
  const apiErrors = m.error instanceof ApiError ? m.error.fieldErrors() : {};
  return (
    <section className="narrow">
      <h1>Ask the community</h1>
      <p className="hint">Do not post personal health details you would not want public. For your own care, use a private consultation.</p>
      <form onSubmit={submit} noValidate>
        <Select label="Category" value={f.category_id} error={errors.category_id ?? apiErrors.category_id} onChange={(e) => setF({ ...f, category_id: e.target.value })}>
          <option value="">Choose…</option>
          {(cats.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </Select>
        <Field label="Title" value={f.title} error={errors.title ?? apiErrors.title} onChange={(e) => setF({ ...f, title: e.target.value })} />
        <TextArea label="Your question (Markdown)" value={f.body} error={errors.body ?? apiErrors.body} onChange={(v) => setF({ ...f, body: v })} />
        <Field label="Tags (comma-separated)" value={f.tags} onChange={(e) => setF({ ...f, tags: e.target.value })} />
        <ErrorBox error={m.error} shownFields={['title', 'body', 'category_id']} />
        <button type="submit" disabled={m.isPending}>
          Post the question
        </button>
      </form>
    </section>
  );
}

function TextArea({ label: text, value, onChange, error, rows = 5 }: { label: string; value: string; onChange: (v: string) => void; error?: string; rows?: number }) {
  const [id] = useState(() => 'ta-' + Math.random().toString(36).slice(2, 8));
  return (
    <div className="field">
      <label htmlFor={id}>{text}</label>
      <textarea id={id} rows={rows} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => onChange(e.target.value)} />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

// ------------------------------------------------------------------ thread view
function ReplyForm({ threadId, parentId, onDone, label: text = 'Your reply (Markdown)' }: { threadId: string; parentId?: string; onDone?: () => void; label?: string }) {
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const m = useMutation({
    mutationFn: () => post<Post>(`/v1/forum/threads/${threadId}/posts`, { body, ...(parentId ? { parent_post_id: parentId } : {}) }),
    onSuccess: () => {
      setBody('');
      qc.invalidateQueries({ queryKey: ['forum-thread', threadId] });
      onDone?.();
    },
  });
  return (
    <form
      className="reply-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (body.trim()) m.mutate();
      }}
    >
      <TextArea label={text} value={body} onChange={setBody} rows={3} />
      <ErrorBox error={m.error} />
      {m.data?.status === 'pending_review' && <Notice>Your reply waits for a moderator’s approval.</Notice>}
      <button type="submit" disabled={m.isPending || !body.trim()}>
        {parentId ? 'Reply' : 'Post reply'}
      </button>
    </form>
  );
}

function FlagForm({ postId, onDone }: { postId: string; onDone: () => void }) {
  const [reason, setReason] = useState<(typeof FLAG_REASONS)[number]>('spam');
  const [detail, setDetail] = useState('');
  const m = useMutation({ mutationFn: () => post(`/v1/forum/posts/${postId}/flags`, { reason, detail }) });
  if (m.isSuccess)
    return (
      <Notice>
        Thanks — moderators will look at it.{' '}
        <button type="button" className="link" onClick={onDone}>
          Close
        </button>
      </Notice>
    );
  return (
    <form
      className="panel"
      aria-label="Flag this post"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <Select label="Why should moderators look at it?" value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
        {FLAG_REASONS.map((r) => (
          <option key={r} value={r}>
            {label(r)}
          </option>
        ))}
      </Select>
      <Field label="Details (optional)" value={detail} onChange={(e) => setDetail(e.target.value)} />
      <ErrorBox error={m.error} />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Send flag
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PostView({ p, thread, isOpening }: { p: Post; thread: Thread; isOpening?: boolean }) {
  const claims = useClaims();
  const qc = useQueryClient();
  const tz = browserTimeZone();
  const [mode, setMode] = useState<'' | 'reply' | 'flag' | 'edit'>('');
  const [editBody, setEditBody] = useState(p.body_markdown ?? '');
  const refresh = () => qc.invalidateQueries({ queryKey: ['forum-thread', thread.id] });
  const vote = useMutation({ mutationFn: (value: number) => put(`/v1/forum/posts/${p.id}/vote`, { value }), onSuccess: refresh });
  const accept = useMutation({ mutationFn: () => put(`/v1/forum/threads/${thread.id}/accepted-answer`, { post_id: p.id }), onSuccess: refresh });
  const edit = useMutation({ mutationFn: () => patch(`/v1/forum/posts/${p.id}`, { body: editBody }), onSuccess: () => (setMode(''), refresh()) });
  const remove = useMutation({ mutationFn: () => del(`/v1/forum/posts/${p.id}`), onSuccess: refresh });
  const mine = !!claims && claims.sub === p.author_id;
  const deleted = p.status === 'deleted';
  return (
    <article className={`post${p.accepted ? ' accepted' : ''}`} aria-label={`${isOpening ? 'Question' : 'Reply'} by ${p.author_display_name ?? 'someone'}`} data-testid="post" id={p.id ? `post-${p.id}` : undefined}>
      <header className="muted">
        <Author p={p} /> · {dateTimeLabel(p.created_at, tz)}
        {p.edited_at && ' · edited'}
        {p.accepted && <span className="status accepted-badge"> Accepted answer</span>}
        {p.status && p.status !== 'visible' && <span className="status"> {label(p.status)}</span>}
      </header>
      {p.edited_at && !deleted && (mine || hasRole(claims, 'moderator') || hasRole(claims, 'platform_admin')) && <EditHistory postId={p.id!} />}
      {deleted ? <p className="muted">This post was deleted.</p> : mode === 'edit' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            edit.mutate();
          }}
        >
          <TextArea label="Edit your post (Markdown)" value={editBody} onChange={setEditBody} />
          <ErrorBox error={edit.error} />
          <div className="actions">
            <button type="submit" disabled={edit.isPending}>
              Save
            </button>
            <button type="button" className="secondary" onClick={() => setMode('')}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <SafeHtml html={p.body_html} />
      )}
      {!deleted && (
        <div className="actions post-actions">
          <span aria-live="polite" className="score">
            Score {p.vote_score ?? 0}
          </span>
          {claims && !mine && (
            <>
              <button type="button" className={p.my_vote === 1 ? 'small' : 'small secondary'} aria-pressed={p.my_vote === 1} onClick={() => vote.mutate(p.my_vote === 1 ? 0 : 1)}>
                Helpful
              </button>
              <button type="button" className={p.my_vote === -1 ? 'small' : 'small secondary'} aria-pressed={p.my_vote === -1} onClick={() => vote.mutate(p.my_vote === -1 ? 0 : -1)}>
                Not helpful
              </button>
            </>
          )}
          {claims && !thread.locked && (
            <button type="button" className="small secondary" onClick={() => setMode(mode === 'reply' ? '' : 'reply')} aria-expanded={mode === 'reply'}>
              Reply
            </button>
          )}
          {claims && !isOpening && claims.sub === thread.author_id && !p.accepted && (
            <button type="button" className="small secondary" onClick={() => accept.mutate()}>
              Accept answer
            </button>
          )}
          {claims && !mine && (
            <button type="button" className="small secondary" onClick={() => setMode(mode === 'flag' ? '' : 'flag')} aria-expanded={mode === 'flag'}>
              Flag
            </button>
          )}
          {mine && (
            <>
              <button type="button" className="small secondary" onClick={() => setMode('edit')}>
                Edit
              </button>
              <button
                type="button"
                className="small danger"
                onClick={() => {
                  if (window.confirm('Delete this post?')) remove.mutate();
                }}
              >
                Delete
              </button>
            </>
          )}
        </div>
      )}
      <ErrorBox error={vote.error || accept.error || remove.error} />
      {mode === 'reply' && <ReplyForm threadId={thread.id!} parentId={isOpening ? undefined : p.id} onDone={() => setMode('')} />}
      {mode === 'flag' && <FlagForm postId={p.id!} onDone={() => setMode('')} />}
    </article>
  );
}

function ReplyTree({ nodes, thread }: { nodes: ReplyNode[]; thread: Thread }) {
  return (
    <ul className="replies">
      {nodes.map((n) => (
        <li key={n.post.id}>
          <PostView p={n.post} thread={thread} />
          {n.children.length > 0 && <ReplyTree nodes={n.children} thread={thread} />}
        </li>
      ))}
    </ul>
  );
}

function ModeratorTools({ thread }: { thread: Thread }) {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const m = useMutation({
    mutationFn: ([what, on]: ['lock' | 'pin', boolean]) => post(`/v1/forum/threads/${thread.id}/${what}`, what === 'lock' ? { locked: on, reason } : { pinned: on, reason }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['forum-thread', thread.id] }),
  });
  return (
    <details className="panel">
      <summary>Moderator tools</summary>
      <Field label="Reason for the record" value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => m.mutate(['lock', !thread.locked])}>
          {thread.locked ? 'Unlock' : 'Lock'} thread
        </button>
        <button type="button" className="secondary" onClick={() => m.mutate(['pin', !thread.pinned])}>
          {thread.pinned ? 'Unpin' : 'Pin'} thread
        </button>
      </div>
      <ErrorBox error={m.error} />
    </details>
  );
}

export function ThreadView() {
  const { id = '' } = useParams();
  const claims = useClaims();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['forum-thread', id], queryFn: () => get<ThreadPage>(`/v1/forum/threads/${id}`, { limit: 50 }) });
  const follow = useMutation({
    mutationFn: (on: boolean) => (on ? post(`/v1/forum/threads/${id}/follow`) : del(`/v1/forum/threads/${id}/follow`)),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['forum-thread', id] }),
  });
  return (
    <section>
      <p>
        <Link to="/forum">← Forum</Link>
      </p>
      <QueryState q={q} what="Loading the thread">
        {(d) => {
          const t = d.thread ?? {};
          const tree = buildReplyTree(d.items ?? [], t.opening_post?.id);
          return (
            <>
              <h1>{t.title}</h1>
              <p className="muted">
                {t.pinned && 'Pinned · '}
                {t.locked && 'Locked: no new replies · '}
                {(t.tags ?? []).map((g) => (
                  <Link key={g} className="tag" to={`/forum?tag=${encodeURIComponent(g)}`}>
                    {g}
                  </Link>
                ))}
              </p>
              {claims && (
                <p>
                  <button type="button" className="secondary" aria-pressed={!!t.following} onClick={() => follow.mutate(!t.following)} disabled={follow.isPending}>
                    {t.following ? 'Following (stop)' : 'Follow this thread'}
                  </button>
                </p>
              )}
              <ErrorBox error={follow.error} />
              {t.opening_post && <PostView p={t.opening_post} thread={t} isOpening />}
              {claims && isModerator(claims) && <ModeratorTools thread={t} />}
              <h2>
                {t.reply_count ?? 0} {t.reply_count === 1 ? 'reply' : 'replies'}
              </h2>
              <ReplyTree nodes={tree} thread={t} />
              {claims && !t.locked && <ReplyForm threadId={id} />}
              {!claims && (
                <p>
                  <Link to={`/signin?next=/forum/threads/${id}`}>Sign in</Link> to reply.
                </p>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

// ------------------------------------------------------------------ private consultations
export function PrivateThreads() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const tz = browserTimeZone();
  const practitionerId = params.get('practitioner') ?? '';
  const q = usePaged<PrivateThread>(['private-threads'], '/v1/forum/private-threads', { limit: 30 });
  const [f, setF] = useState({ subject: '', body: '' });
  const create = useMutation({
    mutationFn: () => post<PrivateThread>('/v1/forum/private-threads', { practitioner_id: practitionerId, subject: f.subject.trim(), body: f.body }),
    onSuccess: (t) => navigate(`/consultations/${t.id}`),
  });
  return (
    <section>
      <h1>Private consultations</h1>
      <p className="muted">Only you and the practitioner can read these conversations.</p>
      {practitionerId && (
        <form
          className="panel narrow"
          aria-label="New private consultation"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h2>Ask privately</h2>
          <Field label="Subject" value={f.subject} onChange={(e) => setF({ ...f, subject: e.target.value })} required />
          <TextArea label="Message" value={f.body} onChange={(v) => setF({ ...f, body: v })} />
          <ErrorBox error={create.error} />
          <button type="submit" disabled={create.isPending}>
            Send
          </button>
        </form>
      )}
      <QueryState q={q} what="Loading consultations">
        {(d) =>
          (d.items ?? []).length === 0 ? (
            <p>No private consultations yet. Start one from a practitioner’s page.</p>
          ) : (
            <ul className="cards" aria-label="Private consultations">
              {(d.items ?? []).map((t) => (
                <li className="card" key={t.id}>
                  <h2>
                    <Link to={`/consultations/${t.id}`}>{t.subject}</Link>
                  </h2>
                  <p className="muted">
                    with {t.practitioner_display_name} · {t.post_count ?? 0} messages · last {dateTimeLabel(t.last_post_at, tz)}
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what="older consultations" />
    </section>
  );
}

export function PrivateThreadView() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const tz = browserTimeZone();
  const claims = useClaims();
  // Platform admins who are not in the thread read it only with a reason, which is audited.
  const [reason, setReason] = useState('');
  const [draftReason, setDraftReason] = useState('');
  const q = usePaged<PrivatePost, PrivateThreadPage>(['private-thread', id, reason], `/v1/forum/private-threads/${id}`, { limit: 50, access_reason: reason || undefined });
  const [body, setBody] = useState('');
  const send = useMutation({
    mutationFn: () => post(`/v1/forum/private-threads/${id}/posts`, { body }),
    onSuccess: () => {
      setBody('');
      qc.invalidateQueries({ queryKey: ['private-thread', id] });
    },
  });
  const needsReason = q.error instanceof ApiError && q.error.code === 'ACCESS_REASON_REQUIRED';
  return (
    <section>
      <p>
        <Link to="/consultations">← Private consultations</Link>
      </p>
      {needsReason ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (draftReason.trim()) setReason(draftReason.trim());
          }}
        >
          <h1>Private consultation</h1>
          <p>This conversation is private between a patient and a practitioner. Reading it as a platform admin is recorded in the audit log with your reason.</p>
          <Field label="Why do you need to read it?" value={draftReason} maxLength={500} onChange={(e) => setDraftReason(e.target.value)} />
          <button type="submit" disabled={!draftReason.trim()}>
            Read with this reason
          </button>
        </form>
      ) : (
        <QueryState q={q} what="Loading the consultation">
          {(d) => {
            const participant = d.thread?.patient_id === claims?.sub || d.thread?.practitioner_user_id === claims?.sub;
            return (
              <>
                <h1>{d.thread?.subject}</h1>
                <p className="muted">
                  {participant ? `Private between you and ${d.thread?.practitioner_display_name}.` : `Read as a platform admin (recorded): “${reason}”.`}
                </p>
                <ol className="cards messages" aria-label="Messages">
                  {(d.items ?? []).map((m) => (
                    <li className="card" key={m.id}>
                      <p className="muted">
                        {m.author_display_name} · {dateTimeLabel(m.created_at, tz)}
                      </p>
                      <SafeHtml html={m.body_html} />
                    </li>
                  ))}
                </ol>
                <LoadMore q={q} what="later messages" />
                {participant && (
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (body.trim()) send.mutate();
                    }}
                  >
                    <TextArea label="Your message" value={body} onChange={setBody} rows={3} />
                    <ErrorBox error={send.error} />
                    <button type="submit" disabled={send.isPending || !body.trim()}>
                      Send
                    </button>
                  </form>
                )}
              </>
            );
          }}
        </QueryState>
      )}
    </section>
  );
}

/** Earlier versions of an edited post, fetched when opened. */
function EditHistory({ postId }: { postId: string }) {
  const [open, setOpen] = useState(false);
  const tz = browserTimeZone();
  const q = useQuery({
    queryKey: ['post-edits', postId],
    queryFn: () => getAll<{ body_html?: string; edited_at?: string }>(`/v1/forum/posts/${postId}/edits`),
    enabled: open,
  });
  return (
    <details className="muted" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Earlier versions</summary>
      {open && (
        <QueryState q={q} what="Loading earlier versions">
          {(d) => (
            <ol aria-label="Earlier versions">
              {(d.items ?? []).map((e, i) => (
                <li key={i}>
                  <p>Until {dateTimeLabel(e.edited_at, tz)}:</p>
                  <SafeHtml html={e.body_html} />
                </li>
              ))}
            </ol>
          )}
        </QueryState>
      )}
    </details>
  );
}

// ------------------------------------------------------------------ moderation
function QueueEntry({ item }: { item: QueueItem }) {
  const qc = useQueryClient();
  const tz = browserTimeZone();
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('7');
  const p = item.post ?? {};
  const done = () => qc.invalidateQueries({ queryKey: ['moderation-queue'] });
  const act = useMutation({ mutationFn: (action: string) => post(`/v1/forum/posts/${p.id}/moderation`, { action, reason }), onSuccess: done });
  const suspend = useMutation({
    mutationFn: () => post(`/v1/forum/users/${p.author_id}/suspension`, { duration_seconds: Math.round(Number(days) * 86400), reason }),
  });
  return (
    <li className="card" data-testid="queue-item">
      <h2>
        <Link to={`/forum/threads/${p.thread_id}`}>{item.thread_title}</Link>
      </h2>
      <p className="muted">
        {label(item.queue_reason)} · flag weight {item.flag_weight ?? 0} · post {label(p.status)} · by <Author p={p} /> · queued {dateTimeLabel(item.queued_at, tz)}
      </p>
      <SafeHtml html={p.body_html} />
      {(item.flags ?? []).length > 0 && (
        <ul aria-label="Flags">
          {(item.flags ?? []).map((f, i) => (
            <li key={i}>
              {label(f.reason)}
              {f.detail ? `: ${f.detail}` : ''} ({dateTimeLabel(f.created_at, tz)})
            </li>
          ))}
        </ul>
      )}
      <Field label="Reason (recorded and sent to the author)" value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="button" onClick={() => act.mutate('approve')} disabled={act.isPending}>
          Approve
        </button>
        <button type="button" className="secondary" onClick={() => act.mutate('hide')} disabled={act.isPending}>
          Hide
        </button>
        <button type="button" className="secondary" onClick={() => act.mutate('restore')} disabled={act.isPending}>
          Restore
        </button>
        <button type="button" className="danger" onClick={() => act.mutate('delete')} disabled={act.isPending}>
          Delete
        </button>
      </div>
      <ErrorBox error={act.error} />
      <details>
        <summary>Suspend the author</summary>
        <Field label="Days (0 lifts a suspension)" type="number" min={0} value={days} onChange={(e) => setDays(e.target.value)} />
        <button type="button" className="danger" onClick={() => suspend.mutate()} disabled={suspend.isPending}>
          Suspend
        </button>
        <ErrorBox error={suspend.error} />
        {suspend.isSuccess && <Notice>Done.</Notice>}
      </details>
    </li>
  );
}

export function ModerationQueue() {
  const claims = useClaims();
  const q = usePaged<QueueItem>(['moderation-queue'], '/v1/forum/moderation/queue', { limit: 30 }, { keyOf: (i) => i.post?.id });
  return (
    <section>
      <h1>Moderation queue</h1>
      <QueryState q={q} what="Loading the queue">
        {(d) => ((d.items ?? []).length === 0 ? <p>Nothing waiting.</p> : <ul className="cards">{(d.items ?? []).map((i) => <QueueEntry key={i.post?.id} item={i} />)}</ul>)}
      </QueryState>
      <LoadMore q={q} what="more" />
      <WatchedWords />
      {hasRole(claims, 'platform_admin') && <NewCategory />}
    </section>
  );
}

type WatchedWord = S['healthtech_forum_v1_WatchedWord'];

/** The watched-words list: posts with a "block" word are refused, with a "review" word held for the queue. */
function WatchedWords() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['watched-words'], queryFn: () => getAll<WatchedWord>('/v1/forum/moderation/watched-words', {}, 500) });
  const [word, setWord] = useState('');
  const [action, setAction] = useState<'block' | 'review'>('review');
  const save = useMutation({
    mutationFn: (words: WatchedWord[]) => put<{ items?: WatchedWord[] }>('/v1/forum/moderation/watched-words', { words }),
    onSuccess: (d) => {
      qc.setQueryData(['watched-words'], d);
      setWord('');
    },
  });
  const current = q.data?.items ?? [];
  // The PUT replaces the whole list: never send one built from a list that did not load.
  const loaded = q.isSuccess;
  return (
    <section aria-labelledby="ww-h" className="panel">
      <h2 id="ww-h">Watched words</h2>
      <p className="muted">Matched as whole words, ignoring case. “Block” refuses the post; “review” holds it in the queue above.</p>
      <QueryState q={q} what="Loading watched words">
        {() =>
          current.length === 0 ? (
            <p>No watched words.</p>
          ) : (
            <ul aria-label="Watched words">
              {current.map((w) => (
                <li key={w.word}>
                  <strong>{w.word}</strong> — {w.action}{' '}
                  <button type="button" className="link" onClick={() => save.mutate(current.filter((x) => x.word !== w.word))} disabled={save.isPending || !loaded}>
                    Remove {w.word}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const w = word.trim().toLowerCase();
          if (w && loaded) save.mutate([...current.filter((x) => x.word !== w), { word: w, action }]);
        }}
      >
        <Field label="Word or phrase" value={word} onChange={(e) => setWord(e.target.value)} maxLength={100} />
        <Select label="When a post contains it" value={action} onChange={(e) => setAction(e.target.value as 'block' | 'review')}>
          <option value="review">Hold for review</option>
          <option value="block">Refuse the post</option>
        </Select>
        <ErrorBox error={save.error} />
        <button type="submit" disabled={save.isPending || !word.trim() || !loaded}>
          Add word
        </button>
      </form>
    </section>
  );
}

/** Platform admins: a new forum category with its rules (all off by default). */
function NewCategory() {
  const qc = useQueryClient();
  const [f, setF] = useState({ name: '', description: '', who: 'everyone', approval: false, slow: '0' });
  const create = useMutation({
    mutationFn: () =>
      post<Category>('/v1/forum/categories', {
        name: f.name.trim(),
        description: f.description.trim(),
        rules: { who_can_post: f.who, first_post_approval: f.approval, slow_mode_seconds: Number(f.slow) || 0 },
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['forum-categories'] });
      setF({ name: '', description: '', who: 'everyone', approval: false, slow: '0' });
    },
  });
  const fieldError = (name: string) => (create.error instanceof ApiError ? create.error.errors.find((e) => e.field === name)?.message : undefined);
  return (
    <section aria-labelledby="cat-h" className="panel">
      <h2 id="cat-h">New category</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Category name" value={f.name} error={fieldError('name')} onChange={(e) => setF({ ...f, name: e.target.value })} />
        <Field label="Description" value={f.description} error={fieldError('description')} onChange={(e) => setF({ ...f, description: e.target.value })} />
        <Select label="Who can start threads and reply" value={f.who} onChange={(e) => setF({ ...f, who: e.target.value })}>
          <option value="everyone">Everyone signed in</option>
          <option value="verified_practitioners">Verified practitioners</option>
          <option value="moderators">Moderators</option>
        </Select>
        <label className="check">
          <input type="checkbox" checked={f.approval} onChange={(e) => setF({ ...f, approval: e.target.checked })} /> New users' first posts wait for approval
        </label>
        <Field label="Slow mode: seconds between two posts of one user (0 is off)" type="number" min={0} value={f.slow} error={fieldError('rules.slow_mode_seconds')} onChange={(e) => setF({ ...f, slow: e.target.value })} />
        <ErrorBox error={create.error} shownFields={['name', 'description', 'rules.slow_mode_seconds']} />
        {create.isSuccess && <Notice>Category “{create.data?.name}” created.</Notice>}
        <button type="submit" disabled={create.isPending}>
          Create category
        </button>
      </form>
    </section>
  );
}
