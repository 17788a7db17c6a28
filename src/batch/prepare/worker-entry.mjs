// Worker threads start from JavaScript: this loads the TypeScript worker through jiti, as bin/switchyard.mjs loads the CLI.
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { fsCache: true, moduleCache: true });
await jiti.import('./worker.ts');
