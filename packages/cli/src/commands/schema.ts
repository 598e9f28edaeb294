import { resolve } from 'node:path';
import { pipelineSchemaText } from '@wordloom/graph';
import { writeAtomic } from '@wordloom/ops/io/atomic';
import { parseArgs, type OptionSpec } from '../args.js';
import type { Command } from './types.js';

const options: OptionSpec[] = [{ name: 'output', alias: 'o', type: 'string', valueName: 'FILE', doc: 'write the schema to FILE (default: standard output)' }];

export const schemaCommand: Command = {
  name: 'schema',
  usage: 'wordloom schema [--output FILE]',
  summary: 'Write the JSON Schema of pipeline files (op names, params, types, ranges, docs) for editors.',
  details: [
    'Editors that know JSON Schema complete and check pipeline files with it. With the YAML',
    'language server (VS Code: the YAML extension), name it on the first line of a pipeline:',
    '  # yaml-language-server: $schema=../docs/pipeline.schema.json',
    'and in a JSON pipeline with a "$schema" key (wordloom ignores that key).',
  ].join('\n'),
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    if (a.positionals.length) return this.usageError(`unexpected argument "${a.positionals[0]}"`);
    const text = pipelineSchemaText();
    const out = a.options.output as string | undefined;
    if (out === undefined || out === '-') {
      process.stdout.write(text);
      return 0;
    }
    await writeAtomic(resolve(out), (w) => w.write(text));
    process.stderr.write(`wrote ${out}\n`);
    return 0;
  },
};
