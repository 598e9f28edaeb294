import { operators, findOperator } from '@wordloom/ops';
import { describeOperator, describeOperators, closest } from '@wordloom/graph';
import { WordloomError } from '@wordloom/core';
import { parseArgs } from '../args.js';
import type { Command } from './types.js';

export const opsCommand: Command = {
  name: 'ops',
  usage: 'wordloom ops [op]',
  summary: 'List the operators pipelines can use, or describe one (params, defaults, inputs).',
  options: [],
  async main(argv) {
    const a = parseArgs(argv, this.options);
    if (a.help) return this.help();
    const name = a.positionals[0];
    if (!name) {
      process.stdout.write(describeOperators(operators) + '\n');
      return 0;
    }
    const op = findOperator(name);
    if (!op) {
      const near = closest(name, operators.map((o) => o.name));
      throw new WordloomError('E_PARAM', `unknown operator "${name}"`, {}, near ? `did you mean "${near}"? (wordloom ops lists them)` : 'wordloom ops lists them');
    }
    process.stdout.write(describeOperator(op) + '\n');
    return 0;
  },
};
