import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SKIP = new Set(['node_modules', 'cdk.out', '.git', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation but hyphens dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(path: string): Set<string> {
  const text = readFileSync(path, 'utf-8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));
}

/** Every relative link of a Markdown file (outside code blocks), with the file or anchor it names. */
function relativeLinks(path: string): Array<{ target: string; anchor?: string }> {
  const text = readFileSync(path, 'utf-8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((link) => !/^[a-z]+:/i.test(link))
    .map((link) => {
      const [file, anchor] = link.split('#');
      return { target: file ? resolve(dirname(path), file) : path, ...(anchor ? { anchor } : {}) };
    });
}

describe('the documentation', () => {
  const files = markdownFiles(ROOT);

  it('is found: the README, SECURITY.md, the design and the step notes', () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'docs/design.md', 'lambdas/attribute-mapping/README.md']));
  });

  it('links only to files that exist, and to headings they have', () => {
    const broken = files.flatMap((file) =>
      relativeLinks(file)
        .filter(({ target, anchor }) => !existsSync(target) || (anchor !== undefined && target.endsWith('.md') && !anchorsIn(target).has(anchor)))
        .map(({ target, anchor }) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}${anchor ? `#${anchor}` : ''}`),
    );
    expect(broken).toEqual([]);
  });

  it('names in code comments only documents the repository has', () => {
    const walk = (dir: string): string[] =>
      readdirSync(join(ROOT, dir)).flatMap((name) =>
        statSync(join(ROOT, dir, name)).isDirectory() ? walk(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : [],
      );
    const sources = ['lambdas', 'local', 'infra', 'statemachine', 'bin', 'bench'].flatMap(walk);
    const missing = sources.flatMap((source) =>
      [...readFileSync(join(ROOT, source), 'utf-8').matchAll(/\b([\w./-]+\.md)\b/g)]
        .map((m) => m[1] ?? '')
        .filter((doc) => !existsSync(join(ROOT, doc)))
        .map((doc) => `${source}: ${doc}`),
    );
    expect(missing).toEqual([]);
  });
});
