// Forum client logic: the reply tree from the server's depth-first list, and tag input.
import type { components } from '../api/schema';
import i18n, { intlLocale } from '../i18n';

export type Post = components['schemas']['healthtech_forum_v1_Post'];
export interface ReplyNode {
  post: Post;
  children: ReplyNode[];
}

/**
 * Nests replies under their parents. The server sends a page of top-level replies, each
 * with its subtree, depth first; a reply whose parent is not in the page (or is the
 * opening post) is shown at the top level, so nothing is ever dropped. Siblings keep the
 * server's order (oldest first).
 */
export function buildReplyTree(posts: Post[], openingPostId?: string): ReplyNode[] {
  const byId = new Map<string, ReplyNode>();
  const roots: ReplyNode[] = [];
  for (const p of posts) {
    if (!p.id || p.id === openingPostId || byId.has(p.id)) continue;
    byId.set(p.id, { post: p, children: [] });
  }
  for (const p of posts) {
    const node = p.id ? byId.get(p.id) : undefined;
    if (!node || node.post !== p) continue;
    const parent = p.parent_post_id ? byId.get(p.parent_post_id) : undefined;
    if (parent && parent !== node && !isAncestor(node, parent)) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

function isAncestor(node: ReplyNode, maybeDescendant: ReplyNode): boolean {
  for (const c of node.children) if (c === maybeDescendant || isAncestor(c, maybeDescendant)) return true;
  return false;
}

export function countNodes(nodes: ReplyNode[]): number {
  return nodes.reduce((n, x) => n + 1 + countNodes(x.children), 0);
}

/** "Heart, BP  ,heart" → ["heart", "bp"]: lower case, trimmed, unique, at most 5. */
export function parseTags(s: string): string[] {
  const out: string[] = [];
  for (const t of s.split(',')) {
    const v = t.trim().toLowerCase().replace(/\s+/g, '-');
    if (v && !out.includes(v)) out.push(v);
  }
  return out.slice(0, 5);
}

export function validateThread(title: string, body: string, categoryId: string): Record<string, string> {
  const e: Record<string, string> = {};
  const t = title.trim();
  const n = (v: number) => v.toLocaleString(intlLocale());
  if (!categoryId) e.category_id = i18n.t('lib:forum.chooseCategory');
  if (t.length < 5) e.title = i18n.t('lib:validation.atLeast', { n: n(5) });
  else if (t.length > 200) e.title = i18n.t('lib:validation.atMost', { n: n(200) });
  if (!body.trim()) e.body = i18n.t('lib:forum.writeSomething');
  else if (body.length > 20000) e.body = i18n.t('lib:validation.atMost', { n: n(20000) });
  return e;
}
