// The Hindi files say everything the English ones do: the same keys (plural forms included),
// no empty texts, and the same {{placeholders}} and <tags> in each.
import { describe, expect, it } from 'vitest';

type Tree = { [key: string]: string | Tree };

const files = import.meta.glob<Tree>('../locales/*/*.json', { eager: true, import: 'default' });
const english = Object.keys(files)
  .filter((p) => p.startsWith('../locales/en/'))
  .map((p) => p.slice('../locales/en/'.length))
  .sort();

/** Every leaf as [dotted.path, value]. */
function leaves(tree: Tree, prefix = ''): [string, unknown][] {
  return Object.entries(tree).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
const tags = (s: string) => [...s.matchAll(/<\/?[A-Za-z0-9]+\s*\/?>/g)].map((m) => m[0].replace(/\s/g, '')).sort();

describe('locale files', () => {
  it('include the English ones', () => {
    expect(english).toContain('common.json');
  });

  describe.each(english)('hi/%s', (file) => {
    const en = files[`../locales/en/${file}`];
    const hi = files[`../locales/hi/${file}`];

    it('exists', () => expect(hi).toBeDefined());

    it('has exactly the English keys', () => {
      const enKeys = leaves(en).map(([k]) => k).sort();
      const hiKeys = leaves(hi ?? {}).map(([k]) => k).sort();
      expect({ missing: enKeys.filter((k) => !hiKeys.includes(k)), extra: hiKeys.filter((k) => !enKeys.includes(k)) }).toEqual({ missing: [], extra: [] });
    });

    it('has no empty or non-text values', () => {
      const bad = [...leaves(en), ...leaves(hi ?? {})].filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k);
      expect(bad).toEqual([]);
    });

    it('keeps the placeholders and tags of each text', () => {
      const hiValues = new Map(leaves(hi ?? {}));
      const differ: string[] = [];
      for (const [key, value] of leaves(en)) {
        const other = hiValues.get(key);
        if (typeof value !== 'string' || typeof other !== 'string') continue;
        if (placeholders(value).join() !== placeholders(other).join()) differ.push(`${key}: placeholders`);
        if (tags(value).join() !== tags(other).join()) differ.push(`${key}: tags`);
      }
      expect(differ).toEqual([]);
    });
  });
});
