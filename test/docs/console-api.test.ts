import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_API_SHAPES, SOURCES } from '../../simulated-account/console-api-shapes';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'lambdas/identity-center/README.md'), 'utf-8');
const CLIENT = readFileSync(join(ROOT, 'lambdas/identity-center/console-client.ts'), 'utf-8');

/** The rows of the README's table whose first column is a code span, as cells. */
function rows(): string[][] {
  return README.split('\n')
    .filter((line) => /^\| `[A-Za-z]+` \|/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe("the console API's README", () => {
  it('states for every operation the evidence and sources the simulated account holds it to', () => {
    const documented = Object.fromEntries(
      rows()
        .filter((cells) => cells.length === 5)
        .map(([operation, , , evidence, sources]) => [operation?.replace(/`/g, ''), { evidence, sources: sources?.split(/,\s*/) }]),
    );
    const held = Object.fromEntries(
      Object.entries(CONSOLE_API_SHAPES).map(([operation, shape]) => [operation, { evidence: shape.evidence, sources: [...shape.sources] }]),
    );
    expect(documented).toEqual(held);
  });

  it("lists each request's members as the shapes hold them", () => {
    for (const cells of rows().filter((row) => row.length === 5)) {
      const operation = (cells[0] ?? '').replace(/`/g, '');
      const members = [...(cells[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]);
      expect({ operation, members }).toEqual({ operation, members: Object.keys(CONSOLE_API_SHAPES[operation]?.input ?? {}) });
    }
  });

  it('names and describes every source', () => {
    const described = Object.fromEntries(
      rows()
        .filter((cells) => cells.length === 2)
        .map(([key, text]) => [key?.replace(/`/g, ''), text]),
    );
    expect(Object.keys(described).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it('covers every operation the client calls, and the client calls every operation it covers', () => {
    const called = new Set([...CLIENT.matchAll(/this\.(?:call|pages)\('(\w+)'/g)].map((m) => m[1]));
    expect([...called].sort()).toEqual(Object.keys(CONSOLE_API_SHAPES).sort());
  });
});
