import { describe, expect, it } from 'vitest';
import { collectPages, joinPages } from './paging';

describe('joinPages', () => {
  it('keeps the order of the pages and the next token of the last one', () => {
    const joined = joinPages([
      { items: [{ id: 'a' }, { id: 'b' }], next_page_token: 't1', unread_count: 3 },
      { items: [{ id: 'c' }], next_page_token: '' },
    ]);
    expect(joined.items?.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(joined.next_page_token).toBe('');
    expect(joined.unread_count).toBe(3); // other fields from the first page
  });

  it('drops an item repeated on a later page (the list moved underneath)', () => {
    const joined = joinPages([{ items: [{ id: 'a' }, { id: 'b' }] }, { items: [{ id: 'b' }, { id: 'c' }] }]);
    expect(joined.items?.map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });

  it('keys items by a function when they have no id, and keeps unkeyed ones', () => {
    const pages = [{ items: [{ post: { id: 'p1' } }, { post: {} }] }, { items: [{ post: { id: 'p1' } }, { post: {} }] }];
    const joined = joinPages(pages, (i: { post: { id?: string } }) => i.post.id);
    expect(joined.items).toHaveLength(3);
  });

  it('handles pages without items', () => {
    expect(joinPages<{ id?: string }, { items?: { id?: string }[] }>([{}]).items).toEqual([]);
  });
});

describe('collectPages', () => {
  const pages: Record<string, { items: number[]; next_page_token?: string }> = {
    '': { items: [1, 2], next_page_token: 'b' },
    b: { items: [3, 4], next_page_token: 'c' },
    c: { items: [5] },
  };
  const fetchPage = async (t: string | undefined) => pages[t ?? ''];

  it('follows the tokens to the end', async () => {
    expect(await collectPages(fetchPage, 100)).toEqual({ items: [1, 2, 3, 4, 5], truncated: false });
  });

  it('stops at the cap and says so', async () => {
    expect(await collectPages(fetchPage, 3)).toEqual({ items: [1, 2, 3], truncated: true });
  });
});
