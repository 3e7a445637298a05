/**
 * How long Intake's validation takes on a 10 MB metadata document, and how much memory it needs, beside a baseline
 * of merely reading and hashing the same bytes (what Intake does anyway).
 *
 *   npx tsx bench/intake.bench.ts            (npm run bench)
 *   npx tsx bench/intake.bench.ts --write <dir>   only writes the two documents
 *
 * Each measurement runs in a child process of its own, so the baseline and the validation never share a heap and each
 * peak RSS is that process's own. The children run this file bundled by esbuild on plain `node`, as the deployed
 * function runs, so the TypeScript loader's own memory is not counted. Target (not enforced): well under 250 ms and
 * 128 MB (Lambda's smallest memory size). No pass/fail: it prints the figures.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SaxesParser } from 'saxes';
import { decodeMetadata, METADATA_MAX_CHARACTERS, validateMetadata } from '../lambdas/intake/metadata';
import { makeMetadataXml, makeSelfSignedCertificate } from '../simulated-account/example-metadata';

const RUNS = 7;
const TARGET_BYTES = METADATA_MAX_CHARACTERS - 2_000;

type Mode = 'idle' | 'baseline' | 'parser' | 'validate';

interface ChildResult {
  mode: Mode;
  /** Milliseconds per run, first (cold) run first. */
  runs: number[];
  /** Peak resident set size of the whole process, MB, after the first run and after all runs. */
  peakRssFirstMb: number;
  peakRssMb: number;
}

// --- child: measure one thing in a fresh process ------------------------------------------------------------------

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

function child(mode: Mode, file: string): void {
  const runs: number[] = [];
  let peakRssFirstMb = 0;
  for (let i = 0; i < (mode === 'idle' ? 1 : RUNS); i++) {
    const start = performance.now();
    if (mode !== 'idle') {
      const bytes = readFileSync(file);
      createHash('sha256').update(bytes).digest('hex');
      if (mode === 'validate') validateMetadata(bytes, new Date());
      // The floor: saxes alone, without any handler, over the same text.
      if (mode === 'parser') new SaxesParser({ xmlns: false, position: true }).write(decodeMetadata(bytes)).close();
    }
    runs.push(performance.now() - start);
    if (i === 0) peakRssFirstMb = peakRssMb();
  }
  const result: ChildResult = { mode, runs, peakRssFirstMb, peakRssMb: peakRssMb() };
  process.stdout.write(JSON.stringify(result));
}

// --- parent: build the documents, run the children, print the table --------------------------------------------------

/**
 * A valid document that is mostly KeyDescriptors (encryption keys, whose certificates are never decoded, and three
 * signing keys, which are) and Extensions: mdui display names and mdattr entity attributes.
 */
function keyDescriptorsAndExtensions(): string {
  const [first, second, third] = [1, 2, 3].map((n) => makeSelfSignedCertificate({ commonName: `signing-${n}` }).certificatePem);
  const encryption = makeSelfSignedCertificate({ commonName: 'encryption' }).base64;
  const base = makeMetadataXml({
    certificatePem: first,
    additionalCertificates: [second ?? '', third ?? ''],
  });
  const parts: string[] = [];
  let size = base.length + 400;
  const push = (s: string) => {
    parts.push(s);
    size += Buffer.byteLength(s);
  };
  push(
    '<md:Extensions><mdui:UIInfo xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">\n',
  );
  for (let i = 0; size < TARGET_BYTES / 2; i++) {
    push(
      `  <mdui:DisplayName xml:lang="en">Example application ${i}</mdui:DisplayName><mdui:Description xml:lang="en">Application number ${i} of the example tenant</mdui:Description>\n` +
        `  <saml:Attribute Name="urn:example:attribute:${i}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue>value-${i}</saml:AttributeValue></saml:Attribute>\n`,
    );
  }
  push('</mdattr:EntityAttributes></mdui:UIInfo></md:Extensions>\n');
  for (let i = 0; size < TARGET_BYTES - 1_600; i++) {
    push(
      `        <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>key-${i}</ds:KeyName><ds:X509Data><ds:X509Certificate>\n${(encryption.match(/.{1,64}/g) ?? []).join('\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n`,
    );
  }
  const marker = '<md:KeyDescriptor use="signing">';
  const at = base.indexOf(marker);
  return `${base.slice(0, at)}${parts.join('')}        ${base.slice(at)}`;
}

/** The worst case per byte: nothing but small elements with attributes (about 70 bytes each). */
function smallElementsOnly(): string {
  const base = makeMetadataXml();
  const parts: string[] = ['<md:Extensions><mdui:UIInfo xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui">\n'];
  let size = base.length + 100;
  for (let i = 0; size < TARGET_BYTES - 100; i++) {
    const s = `<mdui:Keywords xml:lang="en">k${i} sso</mdui:Keywords>\n`;
    parts.push(s);
    size += s.length;
  }
  parts.push('</mdui:UIInfo></md:Extensions>\n');
  const marker = '<md:KeyDescriptor use="signing">';
  const at = base.indexOf(marker);
  return `${base.slice(0, at)}${parts.join('')}        ${base.slice(at)}`;
}

function runChild(script: string, mode: Mode, file: string, nodeOptions: string[] = []): ChildResult {
  const result = spawnSync(process.execPath, [...nodeOptions, script, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`child ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

/** This file bundled for plain node, as CDK's esbuild bundles the function. */
function bundleSelf(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = path.join(dir, 'intake-bench.js');
  esbuild.buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', format: 'cjs', outfile, external: ['esbuild'], logLevel: 'error' });
  return outfile;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Heap limits that fit a 128 MB function: without them V8 sizes its heap for this 24 GB machine and lets garbage pile
 * up between runs, which says nothing about the memory the work needs.
 */
const CAPPED = ['--max-old-space-size=64', '--max-semi-space-size=2'];

function main(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'intake-bench-'));
  try {
    const script = bundleSelf(dir);
    const variants: Array<[string, string]> = [
      ['KeyDescriptors + Extensions', keyDescriptorsAndExtensions()],
      ['small elements only (worst case)', smallElementsOnly()],
    ];
    console.log(`Node ${process.version}; each line is its own process running the esbuild bundle; ${RUNS} runs, median ms [first, cold run]`);
    console.log(`CAPPED = ${CAPPED.join(' ')}\n`);
    const row = (label: string, r: ChildResult) =>
      `  ${label.padEnd(46)}${median(r.runs).toFixed(1).padStart(7)} ms [${(r.runs[0] ?? Number.NaN).toFixed(1).padStart(6)}]   peak RSS ${r.peakRssFirstMb.toFixed(1)} MB after 1 run, ${r.peakRssMb.toFixed(1)} MB after ${r.runs.length}`;
    for (const [name, xml] of variants) {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.xml`);
      writeFileSync(file, xml);
      const bytes = Buffer.byteLength(xml);
      const elements = (xml.match(/<[A-Za-z]/g) ?? []).length;
      // Refuse to measure a document the validator would reject: the numbers would be for the wrong path.
      const summary = validateMetadata(readFileSync(file), new Date());
      const idle = runChild(script, 'idle', file);
      const baseline = runChild(script, 'baseline', file);
      const parser = runChild(script, 'parser', file);
      const validate = runChild(script, 'validate', file);
      const capped = runChild(script, 'validate', file, CAPPED);
      const baselineMs = median(baseline.runs);
      const validateMs = median(validate.runs);
      console.log(
        `${name}: ${bytes.toLocaleString('en-US')} bytes, ${elements.toLocaleString('en-US')} elements, ${summary.certificates.length} signing certificate(s)`,
      );
      console.log(`  process start, modules loaded${' '.repeat(36)}peak RSS ${idle.peakRssMb.toFixed(1)} MB`);
      console.log(row('baseline: read + SHA-256', baseline));
      console.log(row('floor: read + SHA-256 + saxes, no handlers', parser));
      console.log(row('read + SHA-256 + validateMetadata', validate));
      console.log(row('  the same, heap sized for 128 MB (see CAPPED)', capped));
      console.log(
        `  validateMetadata vs baseline: time x${(validateMs / baselineMs).toFixed(1)} (+${(validateMs - baselineMs).toFixed(1)} ms), ` +
          `peak RSS x${(validate.peakRssFirstMb / baseline.peakRssFirstMb).toFixed(2)} after 1 run (+${(validate.peakRssFirstMb - baseline.peakRssFirstMb).toFixed(1)} MB)\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeDocuments(dir: string): void {
  writeFileSync(path.join(dir, 'key-descriptors-and-extensions.xml'), keyDescriptorsAndExtensions());
  writeFileSync(path.join(dir, 'small-elements.xml'), smallElementsOnly());
}

const [, , command, mode, argument] = process.argv;
if (command === '--child') child(mode as Mode, argument ?? '');
// `--write <dir>`: only write the two documents, to profile or inspect them.
else if (command === '--write') writeDocuments(mode ?? '.');
else main();
