import { describe, expect, it } from 'vitest';
import { buildReplyTree, countNodes, parseTags, validateThread, type Post } from './forum';

const p = (id: string, parent?: string): Post =>
  ({ id, parent_post_id: parent, body_html: `<p>${id}</p>` }) as Post; // only what the tree reads

describe('reply tree', () => {
  it('nests a depth-first list under parents, keeping sibling order', () => {
    const tree = buildReplyTree([p('op'), p('a', 'op'), p('a1', 'a'), p('a1x', 'a1'), p('a2', 'a'), p('b', 'op')], 'op');
    expect(tree.map((n) => n.post.id)).toEqual(['a', 'b']);
    expect(tree[0].children.map((n) => n.post.id)).toEqual(['a1', 'a2']);
    expect(tree[0].children[0].children.map((n) => n.post.id)).toEqual(['a1x']);
    expect(countNodes(tree)).toBe(5);
  });

  it('puts orphans (parent on another page) at the top and drops duplicates', () => {
    const tree = buildReplyTree([p('x', 'missing'), p('y'), p('y'), p('z', 'x')]);
    expect(tree.map((n) => n.post.id)).toEqual(['x', 'y']);
    expect(tree[0].children.map((n) => n.post.id)).toEqual(['z']);
  });

  it('survives a cycle in bad data', () => {
    const tree = buildReplyTree([p('a', 'b'), p('b', 'a')]);
    expect(countNodes(tree)).toBe(2);
  });
});

describe('thread form', () => {
  it('parses tags and validates title, body and category', () => {
    expect(parseTags(' Heart, BP ,heart,, blood pressure')).toEqual(['heart', 'bp', 'blood-pressure']);
    expect(validateThread('Hi', '', '')).toEqual({ category_id: 'Choose a category.', title: 'Use at least 5 characters.', body: 'Write something.' });
    expect(validateThread('Chest pain after running', 'Details', 'c1')).toEqual({});
    expect(validateThread('x'.repeat(201), 'b', 'c')).toHaveProperty('title');
  });
});
