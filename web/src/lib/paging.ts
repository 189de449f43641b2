import type { Page } from '../api/types';

export const idOf = (item: unknown) => (item as { id?: string } | null)?.id;

/** Joins pages: the items in order, without repeats (an item may move between pages while
 * the list changes underneath), and the first page's other fields. */
export function joinPages<T, P extends Page<T>>(pages: P[], keyOf: (item: T) => string | undefined = idOf): P {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const p of pages) {
    for (const it of p.items ?? []) {
      const key = keyOf(it);
      if (key !== undefined) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      items.push(it);
    }
  }
  const last = pages[pages.length - 1];
  return { ...pages[0], items, next_page_token: last?.next_page_token };
}

/** Follows `next_page_token` until the list ends or `max` items are in hand (then
 * `truncated`). For views that need a whole range at once (a dashboard, a day's schedule). */
export async function collectPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
  max: number,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.next_page_token || undefined;
    if (!token) return { items, truncated: false };
    if (items.length >= max) return { items: items.slice(0, max), truncated: true };
  }
}
