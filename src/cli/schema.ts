import { Command } from 'commander';
import { renderPolicySchema } from '../model/json-schema.ts';
import { writeFileAtomic } from '../load/write.ts';
import type { Io } from './context.ts';

export const SCHEMA_FILE = 'schemas/policy.schema.json';

export function schemaCommand(io: Io, done: (code: number) => void): Command {
  return new Command('schema')
    .description(`print the JSON Schema of the policy language (for YAML/JSON policies and editor completion)`)
    .option('--write [file]', `write it to a file instead (default ${SCHEMA_FILE})`)
    .action(async (opts: { write?: string | boolean }) => {
      const text = renderPolicySchema();
      if (opts.write) {
        const file = typeof opts.write === 'string' ? opts.write : SCHEMA_FILE;
        await writeFileAtomic(file, text);
        io.stdout(`wrote ${file}\n`);
      } else io.stdout(text);
      done(0);
    });
}
