import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf-8');

async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(argv, { print: (line) => lines.push(line), cwd: ROOT });
  return { code, output: lines.join('\n') };
}

/** Every `npx saml-federation ...` the README shows, in code blocks or inline, joined across line breaks. */
function shownCommands(text: string): string[] {
  const flat = text.replace(/`\s*\n\s*/g, '` ').replace(/\n\s+(?=saml-federation)/g, ' ');
  return [...flat.matchAll(/npx saml-federation ([^`\n]*)/g)].map((m) => (m[1] ?? '').replace(/\s+#.*$/, '').trim());
}

/** The options a command's help lists. */
async function optionsOf(...command: string[]): Promise<Set<string>> {
  const { output } = await cli(...command, '--help');
  return new Set([...output.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1] ?? ''));
}

const firstHour = README.slice(README.indexOf('## The first hour'), README.indexOf('## Deploy'));

describe('the README', () => {
  it('shows only commands the CLI has, each with options it accepts', async () => {
    const commands = shownCommands(README);
    expect(commands.length).toBeGreaterThan(10);
    const { output } = await cli('--help');
    const known = new Set([...output.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1] ?? ''));
    const global = await optionsOf();
    const problems: string[] = [];
    for (const shown of commands) {
      const [command, ...rest] = shown.split(/\s+/);
      // A placeholder such as `<command>` stands for any of them.
      if (!command || command.startsWith('-') || command.startsWith('<')) continue;
      if (!known.has(command)) {
        problems.push(`${shown}: no command ${command}`);
        continue;
      }
      const accepted = await optionsOf(command);
      for (const flag of rest.filter((word) => word.startsWith('--')).map((word) => word.replace(/[=\]].*$/, '')))
        if (!accepted.has(flag) && !global.has(flag)) problems.push(`${shown}: ${command} takes no ${flag}`);
    }
    expect(problems).toEqual([]);
  });

  it('works as its first hour shows, on the simulated account (the commands that need AWS aside)', async () => {
    const local = shownCommands(firstHour).filter((shown) => !/--live|^start|^undo|^confirm|^reject|^doctor|</.test(shown));
    expect(local.length).toBeGreaterThanOrEqual(2);
    for (const shown of local) {
      const { code, output } = await cli(...shown.split(/\s+/));
      expect({ shown, code, tail: code === 0 ? '' : output.slice(-400) }).toEqual({ shown, code: 0, tail: '' });
    }
  });
});
