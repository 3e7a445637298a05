/**
 * The floor plan, held: no source file over 400 lines, no function over 100, no import cycle (type imports included),
 * and no import that runs back up the layers. Tests and generated files are outside the limits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const SOURCE_FOLDERS = ['bench', 'bin', 'cli', 'infra', 'lambdas', 'local', 'simulated-account', 'statemachine'];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 100;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  );
}

const FILES = SOURCE_FOLDERS.flatMap(sourceFiles).sort();
const parsed = new Map(FILES.map((file) => [file, ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf-8'), ts.ScriptTarget.Latest, true)]));

/** Each function's (method's, arrow's) length in lines, with where it starts. */
function functionLengths(source: ts.SourceFile): Array<{ where: string; lines: number }> {
  const found: Array<{ where: string; lines: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionDeclaration).name?.getText(source) ?? '(anonymous)';
      found.push({ where: `${source.fileName}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository files a file imports (relative specifiers, `import type` included), as repository paths. */
function importsOf(file: string): string[] {
  const source = parsed.get(file)!;
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!))
      specifiers.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .flatMap((specifier) => {
      const base = relative(ROOT, resolve(ROOT, dirname(file), specifier));
      return [`${base}.ts`, join(base, 'index.ts')].filter((candidate) => parsed.has(candidate)).slice(0, 1);
    });
}

const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));

describe('the source tree', () => {
  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = FILES.map((file) => ({ file, lines: parsed.get(file)!.getLineAndCharacterOfPosition(parsed.get(file)!.getEnd()).line + 1 }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = FILES.flatMap((file) => functionLengths(parsed.get(file)!))
      .filter(({ lines }) => lines > MAX_FUNCTION_LINES)
      .map(({ where, lines }) => `${where}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it('has no import cycle, type imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const next of GRAPH.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of FILES) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('imports only down the layers: the deployed code never imports the local tools, and shared/ imports no step', () => {
    const layer = (file: string): string => file.split('/')[0]!;
    // What each top-level folder may import besides itself: the deployed code (lambdas, its ASL) stands alone; the
    // stack builds on it; the simulated account, the local runner and the CLI build on both.
    const allowed: Record<string, string[]> = {
      lambdas: [],
      statemachine: ['lambdas'],
      infra: ['lambdas', 'statemachine'],
      'simulated-account': ['lambdas'],
      local: ['lambdas', 'statemachine', 'simulated-account', 'infra'],
      cli: ['lambdas', 'statemachine', 'simulated-account', 'local', 'infra'],
      bin: ['cli'],
      bench: ['lambdas', 'statemachine', 'simulated-account', 'local', 'cli'],
    };
    const upward = [...GRAPH].flatMap(([file, imports]) =>
      imports
        .filter((target) => layer(target) !== layer(file) && !allowed[layer(file)]?.includes(layer(target)))
        .map((target) => `${file} -> ${target}`),
    );
    const sharedImportsAStep = [...GRAPH].flatMap(([file, imports]) =>
      file.startsWith('lambdas/shared/')
        ? imports.filter((target) => !target.startsWith('lambdas/shared/')).map((target) => `${file} -> ${target}`)
        : [],
    );
    expect([...upward, ...sharedImportsAStep]).toEqual([]);
  });
});
