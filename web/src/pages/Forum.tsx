import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import DOMPurify from 'dompurify';
import { Trans, useTranslation } from 'react-i18next';
import { ConfirmButton } from '../components/Confirm';
import { ApiError, del, get, patch, post, put } from '../api/client';
import { LoadMore, getAll, usePaged } from '../api/paged';
import type { components } from '../api/schema';
import { useClaims } from '../auth/session';
import { hasRole } from '../auth/tokens';
import { ErrorBox, Field, Notice, QueryState, Select } from '../components/ui';
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
  const { t } = useTranslation('forum');
  return (
    <span className="author">
      {p.author_display_name || t('author.someone')}
      {p.badge?.verified_practitioner && (
        <span className="status verified" title={t('author.verified')}>
          ✓ {p.badge.specialty || t('author.practitioner')}
        </span>
      )}
    </span>
  );
}

// ------------------------------------------------------------------ browse and search
export function ForumHome() {
  const { t } = useTranslation('forum');
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
      <h1>{t('home.title')}</h1>
      <p>
        {claims ? (
          <Link className="button" to={`/forum/new${category ? `?category=${category}` : ''}`}>
            {t('home.ask')}
          </Link>
        ) : (
          <Trans t={t} i18nKey="home.signInToAsk" components={{ signin: <Link to="/signin?next=/forum" /> }} />
        )}{' '}
        {claims && <Link to="/consultations">{t('home.consultations')}</Link>}
        {claims && isModerator(claims) && (
          <>
            {' · '}
            <Link to="/moderation">{t('home.moderationQueue')}</Link>
          </>
        )}
      </p>
      <form
        className="filters"
        role="search"
        aria-label={t('home.searchLabel')}
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', text.trim());
        }}
      >
        <Field label={t('home.searchLabel')} type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <Select label={t('home.category')} value={category} onChange={(e) => setParam('category', e.target.value)}>
          <option value="">{t('home.allCategories')}</option>
          {(cats.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.thread_count ?? 0})
            </option>
          ))}
        </Select>
        <Select label={t('home.sort')} value={sort} onChange={(e) => setParam('sort', e.target.value)} disabled={!!q}>
          <option value="latest">{t('home.sortLatest')}</option>
          <option value="top">{t('home.sortTop')}</option>
          <option value="unanswered">{t('home.sortUnanswered')}</option>
        </Select>
        <button type="submit">{t('home.search')}</button>
      </form>
      <ErrorBox error={cats.error} />
      {tag && (
        <p>
          <Trans t={t} i18nKey="home.tagged" values={{ tag }} components={{ tag: <span className="tag" /> }} />{' '}
          <button type="button" className="link" onClick={() => setParam('tag', '')}>
            {t('home.clearTag')}
          </button>
        </p>
      )}
      {q ? (
        <>
          <QueryState q={search} what={t('home.searching')}>
            {(d) =>
              (d.items ?? []).length === 0 ? (
                <p>{t('home.noMatch', { q })}</p>
              ) : (
                <ul className="cards" aria-label={t('home.searchResults')}>
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
          <LoadMore q={search} what={t('home.moreResults')} />
        </>
      ) : (
        <>
          <QueryState q={list} what={t('home.loadingThreads')}>
            {(d) =>
              (d.items ?? []).length === 0 ? (
                <p>{t('home.noThreads')}</p>
              ) : (
                <ul className="cards" aria-label={t('home.threads')}>
                  {(d.items ?? []).map((th) => (
                    <li className="card" key={th.id} data-testid="thread-item">
                      <h2>
                        {th.pinned && <span className="status">{t('home.pinned')}</span>} {th.locked && <span className="status">{t('home.locked')}</span>}{' '}
                        <Link to={`/forum/threads/${th.id}`}>{th.title}</Link>
                      </h2>
                      {th.excerpt && <p>{th.excerpt}</p>}
                      <p className="muted">
                        {th.author_display_name} · {catName(th.category_id)} · {t('home.replies', { n: th.reply_count ?? 0 })} · {t('home.score', { n: th.vote_score ?? 0 })}
                        {th.accepted_post_id ? ` · ${t('home.answered')}` : ''} · {dateTimeLabel(th.last_activity_at, tz)}
                      </p>
                      {(th.tags ?? []).length > 0 && (
                        <p>
                          {(th.tags ?? []).map((g) => (
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
          <LoadMore q={list} what={t('home.moreThreads')} />
        </>
      )}
    </section>
  );
}

// ------------------------------------------------------------------ new thread
export function NewThread() {
  const { t } = useTranslation('forum');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const cats = useCategories();
  const [f, setF] = useState({ category_id: params.get('category') ?? '', title: '', body: '', tags: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: () => post<Thread>('/v1/forum/threads', { category_id: f.category_id, title: f.title.trim(), body: f.body, tags: parseTags(f.tags) }),
    onSuccess: (th) => navigate(`/forum/threads/${th.id}`),
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
      <h1>{t('newThread.title')}</h1>
      <p className="hint">{t('newThread.hint')}</p>
      <form onSubmit={submit} noValidate>
        <Select label={t('newThread.category')} value={f.category_id} error={errors.category_id ?? apiErrors.category_id} onChange={(e) => setF({ ...f, category_id: e.target.value })}>
          <option value="">{t('newThread.choose')}</option>
          {(cats.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </Select>
        <Field label={t('newThread.titleLabel')} value={f.title} error={errors.title ?? apiErrors.title} onChange={(e) => setF({ ...f, title: e.target.value })} />
        <TextArea label={t('newThread.body')} value={f.body} error={errors.body ?? apiErrors.body} onChange={(v) => setF({ ...f, body: v })} />
        <Field label={t('newThread.tags')} value={f.tags} onChange={(e) => setF({ ...f, tags: e.target.value })} />
        <ErrorBox error={m.error} shownFields={['title', 'body', 'category_id']} />
        <button type="submit" disabled={m.isPending}>
          {t('newThread.submit')}
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
function ReplyForm({ threadId, parentId, onDone, label: text }: { threadId: string; parentId?: string; onDone?: () => void; label?: string }) {
  const { t } = useTranslation('forum');
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
      <TextArea label={text ?? t('reply.label')} value={body} onChange={setBody} rows={3} />
      <ErrorBox error={m.error} />
      {m.data?.status === 'pending_review' && <Notice>{t('reply.pending')}</Notice>}
      <button type="submit" disabled={m.isPending || !body.trim()}>
        {parentId ? t('reply.reply') : t('reply.post')}
      </button>
    </form>
  );
}

function FlagForm({ postId, onDone }: { postId: string; onDone: () => void }) {
  const { t } = useTranslation('forum');
  const [reason, setReason] = useState<(typeof FLAG_REASONS)[number]>('spam');
  const [detail, setDetail] = useState('');
  const m = useMutation({ mutationFn: () => post(`/v1/forum/posts/${postId}/flags`, { reason, detail }) });
  if (m.isSuccess)
    return (
      <Notice>
        {t('flag.thanks')}{' '}
        <button type="button" className="link" onClick={onDone}>
          {t('flag.close')}
        </button>
      </Notice>
    );
  return (
    <form
      className="panel"
      aria-label={t('flag.formLabel')}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <Select label={t('flag.why')} value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
        {FLAG_REASONS.map((r) => (
          <option key={r} value={r}>
            {t(`flag.reason.${r}`)}
          </option>
        ))}
      </Select>
      <Field label={t('flag.details')} value={detail} onChange={(e) => setDetail(e.target.value)} />
      <ErrorBox error={m.error} />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          {t('flag.send')}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          {t('flag.cancel')}
        </button>
      </div>
    </form>
  );
}

function PostView({ p, thread, isOpening }: { p: Post; thread: Thread; isOpening?: boolean }) {
  const { t } = useTranslation('forum');
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
    <article className={`post${p.accepted ? ' accepted' : ''}`} aria-label={t(isOpening ? 'post.questionBy' : 'post.replyBy', { name: p.author_display_name ?? t('post.someone') })} data-testid="post" id={p.id ? `post-${p.id}` : undefined}>
      <header className="muted">
        <Author p={p} /> · {dateTimeLabel(p.created_at, tz)}
        {p.edited_at && ` · ${t('post.edited')}`}
        {p.accepted && <span className="status accepted-badge">{` ${t('post.accepted')}`}</span>}
        {p.status && p.status !== 'visible' && <span className="status"> {t(`post.status.${p.status}`)}</span>}
      </header>
      {p.edited_at && !deleted && (mine || hasRole(claims, 'moderator') || hasRole(claims, 'platform_admin')) && <EditHistory postId={p.id!} />}
      {deleted ? <p className="muted">{t('post.deleted')}</p> : mode === 'edit' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            edit.mutate();
          }}
        >
          <TextArea label={t('post.editLabel')} value={editBody} onChange={setEditBody} />
          <ErrorBox error={edit.error} />
          <div className="actions">
            <button type="submit" disabled={edit.isPending}>
              {t('post.save')}
            </button>
            <button type="button" className="secondary" onClick={() => setMode('')}>
              {t('post.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <SafeHtml html={p.body_html} />
      )}
      {!deleted && (
        <div className="actions post-actions">
          <span aria-live="polite" className="score">
            {t('post.score', { n: p.vote_score ?? 0 })}
          </span>
          {claims && !mine && (
            <>
              <button type="button" className={p.my_vote === 1 ? 'small' : 'small secondary'} aria-pressed={p.my_vote === 1} onClick={() => vote.mutate(p.my_vote === 1 ? 0 : 1)}>
                {t('post.helpful')}
              </button>
              <button type="button" className={p.my_vote === -1 ? 'small' : 'small secondary'} aria-pressed={p.my_vote === -1} onClick={() => vote.mutate(p.my_vote === -1 ? 0 : -1)}>
                {t('post.notHelpful')}
              </button>
            </>
          )}
          {claims && !thread.locked && (
            <button type="button" className="small secondary" onClick={() => setMode(mode === 'reply' ? '' : 'reply')} aria-expanded={mode === 'reply'}>
              {t('post.reply')}
            </button>
          )}
          {claims && !isOpening && claims.sub === thread.author_id && !p.accepted && (
            <button type="button" className="small secondary" onClick={() => accept.mutate()}>
              {t('post.accept')}
            </button>
          )}
          {claims && !mine && (
            <button type="button" className="small secondary" onClick={() => setMode(mode === 'flag' ? '' : 'flag')} aria-expanded={mode === 'flag'}>
              {t('post.flag')}
            </button>
          )}
          {mine && (
            <>
              <button type="button" className="small secondary" onClick={() => setMode('edit')}>
                {t('post.edit')}
              </button>
              <ConfirmButton className="small danger" title={t('post.confirmDelete')} confirm={t('post.delete')} onConfirm={() => remove.mutate()}>
                {t('post.delete')}
              </ConfirmButton>
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
  const { t } = useTranslation('forum');
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const m = useMutation({
    mutationFn: ([what, on]: ['lock' | 'pin', boolean]) => post(`/v1/forum/threads/${thread.id}/${what}`, what === 'lock' ? { locked: on, reason } : { pinned: on, reason }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['forum-thread', thread.id] }),
  });
  return (
    <details className="panel">
      <summary>{t('modTools.title')}</summary>
      <Field label={t('modTools.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => m.mutate(['lock', !thread.locked])}>
          {thread.locked ? t('modTools.unlock') : t('modTools.lock')}
        </button>
        <button type="button" className="secondary" onClick={() => m.mutate(['pin', !thread.pinned])}>
          {thread.pinned ? t('modTools.unpin') : t('modTools.pin')}
        </button>
      </div>
      <ErrorBox error={m.error} />
    </details>
  );
}

export function ThreadView() {
  const { t } = useTranslation('forum');
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
        <Link to="/forum">{t('thread.back')}</Link>
      </p>
      <QueryState q={q} what={t('thread.loading')}>
        {(d) => {
          const th = d.thread ?? {};
          const tree = buildReplyTree(d.items ?? [], th.opening_post?.id);
          return (
            <>
              <h1>{th.title}</h1>
              <p className="muted">
                {th.pinned && `${t('thread.pinned')} · `}
                {th.locked && `${t('thread.locked')} · `}
                {(th.tags ?? []).map((g) => (
                  <Link key={g} className="tag" to={`/forum?tag=${encodeURIComponent(g)}`}>
                    {g}
                  </Link>
                ))}
              </p>
              {claims && (
                <p>
                  <button type="button" className="secondary" aria-pressed={!!th.following} onClick={() => follow.mutate(!th.following)} disabled={follow.isPending}>
                    {th.following ? t('thread.following') : t('thread.follow')}
                  </button>
                </p>
              )}
              <ErrorBox error={follow.error} />
              {th.opening_post && <PostView p={th.opening_post} thread={th} isOpening />}
              {claims && isModerator(claims) && <ModeratorTools thread={th} />}
              <h2>{t('thread.replyCount', { count: th.reply_count ?? 0 })}</h2>
              <ReplyTree nodes={tree} thread={th} />
              {claims && !th.locked && <ReplyForm threadId={id} />}
              {!claims && (
                <p>
                  <Trans t={t} i18nKey="thread.signInToReply" components={{ signin: <Link to={`/signin?next=/forum/threads/${id}`} /> }} />
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
  const { t } = useTranslation('forum');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const tz = browserTimeZone();
  const practitionerId = params.get('practitioner') ?? '';
  const q = usePaged<PrivateThread>(['private-threads'], '/v1/forum/private-threads', { limit: 30 });
  const [f, setF] = useState({ subject: '', body: '' });
  const create = useMutation({
    mutationFn: () => post<PrivateThread>('/v1/forum/private-threads', { practitioner_id: practitionerId, subject: f.subject.trim(), body: f.body }),
    onSuccess: (th) => navigate(`/consultations/${th.id}`),
  });
  return (
    <section>
      <h1>{t('private.title')}</h1>
      <p className="muted">{t('private.intro')}</p>
      {practitionerId && (
        <form
          className="panel narrow"
          aria-label={t('private.newLabel')}
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h2>{t('private.ask')}</h2>
          <Field label={t('private.subject')} value={f.subject} onChange={(e) => setF({ ...f, subject: e.target.value })} required />
          <TextArea label={t('private.message')} value={f.body} onChange={(v) => setF({ ...f, body: v })} />
          <ErrorBox error={create.error} />
          <button type="submit" disabled={create.isPending}>
            {t('private.send')}
          </button>
        </form>
      )}
      <QueryState q={q} what={t('private.loading')}>
        {(d) =>
          (d.items ?? []).length === 0 ? (
            <p>{t('private.empty')}</p>
          ) : (
            <ul className="cards" aria-label={t('private.listLabel')}>
              {(d.items ?? []).map((th) => (
                <li className="card" key={th.id}>
                  <h2>
                    <Link to={`/consultations/${th.id}`}>{th.subject}</Link>
                  </h2>
                  <p className="muted">
                    {t('private.meta', { name: th.practitioner_display_name, n: th.post_count ?? 0, when: dateTimeLabel(th.last_post_at, tz) })}
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what={t('private.older')} />
    </section>
  );
}

export function PrivateThreadView() {
  const { t } = useTranslation('forum');
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
        <Link to="/consultations">{t('privateThread.back')}</Link>
      </p>
      {needsReason ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (draftReason.trim()) setReason(draftReason.trim());
          }}
        >
          <h1>{t('privateThread.title')}</h1>
          <p>{t('privateThread.adminNotice')}</p>
          <Field label={t('privateThread.why')} value={draftReason} maxLength={500} onChange={(e) => setDraftReason(e.target.value)} />
          <button type="submit" disabled={!draftReason.trim()}>
            {t('privateThread.readWithReason')}
          </button>
        </form>
      ) : (
        <QueryState q={q} what={t('privateThread.loading')}>
          {(d) => {
            const participant = d.thread?.patient_id === claims?.sub || d.thread?.practitioner_user_id === claims?.sub;
            return (
              <>
                <h1>{d.thread?.subject}</h1>
                <p className="muted">
                  {participant ? t('privateThread.between', { name: d.thread?.practitioner_display_name }) : t('privateThread.asAdmin', { reason })}
                </p>
                <ol className="cards messages" aria-label={t('privateThread.messages')}>
                  {(d.items ?? []).map((m) => (
                    <li className="card" key={m.id}>
                      <p className="muted">
                        {m.author_display_name} · {dateTimeLabel(m.created_at, tz)}
                      </p>
                      <SafeHtml html={m.body_html} />
                    </li>
                  ))}
                </ol>
                <LoadMore q={q} what={t('privateThread.later')} />
                {participant && (
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (body.trim()) send.mutate();
                    }}
                  >
                    <TextArea label={t('privateThread.yourMessage')} value={body} onChange={setBody} rows={3} />
                    <ErrorBox error={send.error} />
                    <button type="submit" disabled={send.isPending || !body.trim()}>
                      {t('privateThread.send')}
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
  const { t } = useTranslation('forum');
  const [open, setOpen] = useState(false);
  const tz = browserTimeZone();
  const q = useQuery({
    queryKey: ['post-edits', postId],
    queryFn: () => getAll<{ body_html?: string; edited_at?: string }>(`/v1/forum/posts/${postId}/edits`),
    enabled: open,
  });
  return (
    <details className="muted" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('history.summary')}</summary>
      {open && (
        <QueryState q={q} what={t('history.loading')}>
          {(d) => (
            <ol aria-label={t('history.listLabel')}>
              {(d.items ?? []).map((e, i) => (
                <li key={i}>
                  <p>{t('history.until', { when: dateTimeLabel(e.edited_at, tz) })}</p>
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
  const { t } = useTranslation('forum');
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
        <Trans
          t={t}
          i18nKey="queue.meta"
          values={{
            reason: item.queue_reason ? t(`queue.reason.${item.queue_reason}`) : '',
            weight: item.flag_weight ?? 0,
            status: p.status ? t(`post.status.${p.status}`) : '',
            when: dateTimeLabel(item.queued_at, tz),
          }}
          components={{ author: <Author p={p} /> }}
        />
      </p>
      <SafeHtml html={p.body_html} />
      {(item.flags ?? []).length > 0 && (
        <ul aria-label={t('queue.flags')}>
          {(item.flags ?? []).map((f, i) => (
            <li key={i}>
              {f.reason ? t(`flag.reason.${f.reason}`) : ''}
              {f.detail ? `: ${f.detail}` : ''} ({dateTimeLabel(f.created_at, tz)})
            </li>
          ))}
        </ul>
      )}
      <Field label={t('queue.reasonLabel')} value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="button" onClick={() => act.mutate('approve')} disabled={act.isPending}>
          {t('queue.approve')}
        </button>
        <button type="button" className="secondary" onClick={() => act.mutate('hide')} disabled={act.isPending}>
          {t('queue.hide')}
        </button>
        <button type="button" className="secondary" onClick={() => act.mutate('restore')} disabled={act.isPending}>
          {t('queue.restore')}
        </button>
        <button type="button" className="danger" onClick={() => act.mutate('delete')} disabled={act.isPending}>
          {t('queue.delete')}
        </button>
      </div>
      <ErrorBox error={act.error} />
      <details>
        <summary>{t('queue.suspendTitle')}</summary>
        <Field label={t('queue.days')} type="number" min={0} value={days} onChange={(e) => setDays(e.target.value)} />
        <button type="button" className="danger" onClick={() => suspend.mutate()} disabled={suspend.isPending}>
          {t('queue.suspend')}
        </button>
        <ErrorBox error={suspend.error} />
        {suspend.isSuccess && <Notice>{t('queue.done')}</Notice>}
      </details>
    </li>
  );
}

export function ModerationQueue() {
  const { t } = useTranslation('forum');
  const claims = useClaims();
  const q = usePaged<QueueItem>(['moderation-queue'], '/v1/forum/moderation/queue', { limit: 30 }, { keyOf: (i) => i.post?.id });
  return (
    <section>
      <h1>{t('moderation.title')}</h1>
      <QueryState q={q} what={t('moderation.loading')}>
        {(d) => ((d.items ?? []).length === 0 ? <p>{t('moderation.empty')}</p> : <ul className="cards">{(d.items ?? []).map((i) => <QueueEntry key={i.post?.id} item={i} />)}</ul>)}
      </QueryState>
      <LoadMore q={q} what={t('moderation.more')} />
      <WatchedWords />
      {hasRole(claims, 'platform_admin') && <NewCategory />}
    </section>
  );
}

type WatchedWord = S['healthtech_forum_v1_WatchedWord'];

/** The watched-words list: posts with a "block" word are refused, with a "review" word held for the queue. */
function WatchedWords() {
  const { t } = useTranslation('forum');
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
      <h2 id="ww-h">{t('words.title')}</h2>
      <p className="muted">{t('words.intro')}</p>
      <QueryState q={q} what={t('words.loading')}>
        {() =>
          current.length === 0 ? (
            <p>{t('words.empty')}</p>
          ) : (
            <ul aria-label={t('words.listLabel')}>
              {current.map((w) => (
                <li key={w.word}>
                  <strong>{w.word}</strong> — {t(`words.action.${w.action}`)}{' '}
                  <button type="button" className="link" onClick={() => save.mutate(current.filter((x) => x.word !== w.word))} disabled={save.isPending || !loaded}>
                    {t('words.remove', { word: w.word })}
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
        <Field label={t('words.word')} value={word} onChange={(e) => setWord(e.target.value)} maxLength={100} />
        <Select label={t('words.when')} value={action} onChange={(e) => setAction(e.target.value as 'block' | 'review')}>
          <option value="review">{t('words.hold')}</option>
          <option value="block">{t('words.refuse')}</option>
        </Select>
        <ErrorBox error={save.error} />
        <button type="submit" disabled={save.isPending || !word.trim() || !loaded}>
          {t('words.add')}
        </button>
      </form>
    </section>
  );
}

/** Platform admins: a new forum category with its rules (all off by default). */
function NewCategory() {
  const { t } = useTranslation('forum');
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
      <h2 id="cat-h">{t('newCategory.title')}</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label={t('newCategory.name')} value={f.name} error={fieldError('name')} onChange={(e) => setF({ ...f, name: e.target.value })} />
        <Field label={t('newCategory.description')} value={f.description} error={fieldError('description')} onChange={(e) => setF({ ...f, description: e.target.value })} />
        <Select label={t('newCategory.who')} value={f.who} onChange={(e) => setF({ ...f, who: e.target.value })}>
          <option value="everyone">{t('newCategory.everyone')}</option>
          <option value="verified_practitioners">{t('newCategory.verified')}</option>
          <option value="moderators">{t('newCategory.moderators')}</option>
        </Select>
        <label className="check">
          <input type="checkbox" checked={f.approval} onChange={(e) => setF({ ...f, approval: e.target.checked })} /> {t('newCategory.approval')}
        </label>
        <Field label={t('newCategory.slow')} type="number" min={0} value={f.slow} error={fieldError('rules.slow_mode_seconds')} onChange={(e) => setF({ ...f, slow: e.target.value })} />
        <ErrorBox error={create.error} shownFields={['name', 'description', 'rules.slow_mode_seconds']} />
        {create.isSuccess && <Notice>{t('newCategory.created', { name: create.data?.name })}</Notice>}
        <button type="submit" disabled={create.isPending}>
          {t('newCategory.create')}
        </button>
      </form>
    </section>
  );
}
