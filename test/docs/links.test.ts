import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pages = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^#{1,6} (.+)$/.exec(line);
    if (match) anchors.add(anchorOf(match[1]!));
  }
  return anchors;
}

describe('links between the README and docs/', () => {
  for (const page of pages) {
    it(`${page.slice(root.length + 1)}: every relative link names a file and heading that exist`, () => {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken: string[] = [];
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        const file = path === '' ? page : resolve(dirname(page), path!);
        if (!existsSync(file)) {
          broken.push(`${target} (no such file)`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor))
          broken.push(`${target} (no such heading)`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('the README links every page in docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const unlinked = pages
      .filter((page) => page.includes('/docs/'))
      .map((page) => `docs/${page.split('/docs/')[1]}`)
      .filter((path) => !readme.includes(`](${path})`));
    expect(unlinked).toEqual([]);
  });
});
