import { ArtifactCache, cacheDirFor, parseSize } from '@wordloom/graph';
import { WordloomError } from '@wordloom/core';
import { parseArgs, type OptionSpec } from '../args.js';
import { table } from '../format.js';
import type { Command } from './types.js';

const options: OptionSpec[] = [
  { name: 'cache-dir', type: 'string', valueName: 'DIR', doc: 'the cache directory (default: $WORDLOOM_CACHE, else ~/.cache/wordloom)' },
  { name: 'max-size', type: 'string', valueName: 'SIZE', default: '5G', doc: 'gc: keep the most recently used entries that fit in SIZE (500M, 2G, 0)' },
];

const mb = (bytes: number): string => (bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GB` : `${(bytes / (1 << 20)).toFixed(1)} MB`);

export const cacheCommand: Command = {
  name: 'cache',
  usage: 'wordloom cache ls|clear|gc [--max-size 5G] [--cache-dir DIR]',
  summary: 'List, clear or trim the artifact cache that lets reruns load unchanged node outputs.',
  details: [
    'ls     every entry: key, node, op, kind, size, last used (most recent first), and the total',
    'clear  remove every entry and every resume checkpoint of unfinished training',
    'gc     remove the least recently used entries until the rest fit in --max-size,',
    '       and damaged entries and files left by killed runs',
  ].join('\n'),
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const sub = a.positionals[0];
    if (!sub || a.positionals.length > 1 || !['ls', 'clear', 'gc'].includes(sub)) return this.usageError(sub ? `unknown subcommand "${sub}" (ls, clear or gc)` : 'name a subcommand: ls, clear or gc');
    const dir = cacheDirFor({}, (a.options['cache-dir'] as string | undefined) ?? undefined);
    if (!dir) throw new WordloomError('E_PARAM', 'the cache is off (WORDLOOM_CACHE=off)', {}, 'name a directory with --cache-dir');
    const cache = new ArtifactCache(dir);
    if (sub === 'ls') {
      const entries = cache.list();
      if (entries.length) {
        process.stdout.write(
          table(
            entries.map((e) => [e.key.slice(0, 12), e.pipeline, e.node, e.op, e.kind, mb(e.bytes), new Date(e.used).toISOString().replace('T', ' ').slice(0, 19)]),
            ['l', 'l', 'l', 'l', 'l', 'r', 'l'],
          ) + '\n',
        );
      }
      process.stdout.write(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${mb(entries.reduce((s, e) => s + e.bytes, 0))} in ${dir}\n`);
      const ck = cache.checkpoints();
      if (ck.length) {
        process.stdout.write(`${ck.length} resume checkpoint${ck.length === 1 ? '' : 's'} of unfinished training, ${mb(ck.reduce((s, c) => s + c.bytes, 0))} (rerunning the pipeline goes on from ${ck.length === 1 ? 'it' : 'them'}; clear removes them)\n`);
      }
      return 0;
    }
    if (sub === 'clear') {
      const ck = cache.checkpoints().length;
      const r = cache.clear();
      if (ck) process.stdout.write(`removed ${ck} resume checkpoint${ck === 1 ? '' : 's'}\n`);
      process.stdout.write(`removed ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'} (${mb(r.bytes)}) from ${dir}\n`);
      return 0;
    }
    const max = parseSize(String(a.options['max-size']));
    const r = cache.gc(max);
    process.stdout.write(`removed ${r.removed.length} entr${r.removed.length === 1 ? 'y' : 'ies'} (${mb(r.removed.reduce((s, e) => s + e.bytes, 0))}); kept ${r.kept} (${mb(r.bytes)}) in ${dir}\n`);
    return 0;
  },
};
