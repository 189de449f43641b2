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
