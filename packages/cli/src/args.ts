/**
 * A small argument parser: positionals, --name value, --name=value, boolean
 * --flags, repeated options, and -h/--help. Unknown options are errors that name
 * the closest known option.
 */
import { WordloomError } from '@wordloom/core';
import { closest } from '@wordloom/graph/suggest';

export interface OptionSpec {
  name: string;
  alias?: string;
  type: 'string' | 'number' | 'boolean';
  repeat?: boolean;
  doc: string;
  default?: string | number | boolean;
  valueName?: string;
}

export interface Parsed {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
  help: boolean;
}

export function parseArgs(argv: string[], specs: OptionSpec[]): Parsed {
  const positionals: string[] = [];
  const options: Parsed['options'] = {};
  let help = false;
  for (const s of specs) if (s.default !== undefined) options[s.name] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : a.slice(1, eq > 0 ? eq : undefined);
    const spec = specs.find((s) => s.name === key || s.alias === key);
    if (!spec) {
      const near = closest(key, specs.map((s) => s.name));
      throw new WordloomError('E_PARAM', `unknown option ${a.split('=')[0]}`, {}, near ? `did you mean --${near}? (see --help)` : 'see --help');
    }
    let value: string | undefined = eq > 0 ? a.slice(eq + 1) : undefined;
    if (spec.type === 'boolean') {
      options[spec.name] = value === undefined ? true : !/^(false|0|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new WordloomError('E_PARAM', `--${spec.name} needs a value`, {}, `e.g. --${spec.name} ${spec.valueName ?? 'VALUE'}`);
    }
    let v: string | number = value;
    if (spec.type === 'number') {
      v = Number(value);
      if (!Number.isFinite(v)) throw new WordloomError('E_PARAM', `--${spec.name} must be a number, got ${JSON.stringify(value)}`);
    }
    if (spec.repeat) {
      const prev = options[spec.name];
      options[spec.name] = [...(Array.isArray(prev) ? prev : []), String(v)];
    } else options[spec.name] = v;
  }
  return { positionals, options, help };
}

export function formatOptions(specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  ${s.alias ? `-${s.alias}, ` : ''}--${s.name}${s.type === 'boolean' ? '' : ` <${s.valueName ?? s.type}>`}`;
    const def = s.default !== undefined && s.type !== 'boolean' ? ` (default ${s.default})` : '';
    return [left, s.doc + def + (s.repeat ? ' (repeatable)' : '')] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length), 10) + 2;
  return rows.map(([l, r]) => l.padEnd(w) + r).join('\n');
}

/** Print a subcommand's usage line and its options (for --help); returns the exit code 0. */
export function printSubcommandHelp(usage: string, opts: OptionSpec[]): number {
  process.stdout.write(`usage: ${usage}\n\noptions:\n${formatOptions(opts)}\n`);
  return 0;
}
