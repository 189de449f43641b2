import { describe, expect, it } from 'vitest';
import { joinPages } from './paging';

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
