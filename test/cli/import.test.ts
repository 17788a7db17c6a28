/**
 * `switchyard import litellm` as a user runs it: exit codes, what is printed,
 * and that nothing is written unless everything can be (issue 18, points 1
 * and 3); a literal secret of the input appears in no output, whatever the
 * format (point 2).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../fixtures/cli.ts';
import { FIXTURES } from '../import/import-fixture.ts';

const LITERAL = 'sk-proj-literal-key-0123456789abcdef';
const RPM_TPM = join(FIXTURES, 'per-model-rpm-tpm.yaml');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-import-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const all = (d: string): string =>
  readdirSync(d)
    .map((f) => readFileSync(join(d, f), 'utf8'))
    .join('\n');

describe('switchyard import litellm', () => {
  it('explains itself in --help', async () => {
    const r = await cli('import', 'litellm', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: switchyard import litellm [options] <config>');
    for (const text of ['--vllm <spec>', '--gpu <spec>', '--out <dir>', '--force', '--dry-run', 'OUT/routing.ts', 'os.environ/NAME becomes env:NAME'])
      expect(r.stdout).toContain(text);
    const top = await cli('--help');
    expect(top.stdout).toContain('import');
  });

  it('writes the four files of the init layout and says what it wrote', async () => {
    const out = join(dir, 'policies');
    const r = await cli('import', 'litellm', RPM_TPM, '--out', out, '--name', 'prod');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `wrote ${out}/ (index.ts, providers.ts, routing.ts): 3 providers, 4 deployments, 2 model groups, 0 GPU pools from ${RPM_TPM}\n` +
        `next: review the comments, then run\n  switchyard validate -p ${out}\n  switchyard compile -p ${out}\n`,
    );
    expect(readdirSync(out).sort()).toEqual(['index.ts', 'providers.ts', 'routing.ts']);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toContain("  name: 'prod',\n");
    expect(r.stderr).toContain('0 errors, 10 warnings');
  });

  it('never prints or writes a literal secret, in any output format', async () => {
    for (const format of [[], ['--json'], ['--format', 'github'], ['--verbose']]) {
      const out = join(dir, `p${format.join('')}`);
      const r = await cli('import', 'litellm', RPM_TPM, '--out', out, ...format);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(LITERAL);
      expect(all(out)).not.toContain(LITERAL);
      expect(r.stdout + r.stderr).toContain('OPENAI_API_KEY');
    }
    // The code frame of the warning shows the key, not the value.
    const r = await cli('import', 'litellm', RPM_TPM, '--out', join(dir, 'again'));
    expect(r.stderr).toContain('9 |       api_key: ***\n');
  });

  it('--json gives the findings and what was written', async () => {
    const out = join(dir, 'policies');
    const r = await cli('import', 'litellm', RPM_TPM, '--out', out, '--json');
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.written).toEqual(['index.ts', 'providers.ts', 'routing.ts'].map((f) => join(out, f)));
    expect(json.summary).toEqual({ errors: 0, warnings: 10, infos: 0 });
    expect(json.diagnostics[1]).toMatchObject({ code: 'import-literal-secret', path: 'model_list[0].litellm_params.api_key', source: { line: 9, column: 7 } });
  });

  it('writes nothing on an error in the input, and exits 1', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, readFileSync(RPM_TPM, 'utf8').replace('  num_retries: 1\n', '  num_retries: 1\n  fallbacks:\n    - gpt-4o: ["gpt-5"]\n'));
    const out = join(dir, 'policies');
    const r = await cli('import', 'litellm', config, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config\.yaml:47:16 error import-unknown-group: fallbacks of "gpt-4o" name "gpt-5", which is no model_name of model_list/);
    expect(r.stderr).toContain('nothing written\n');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on unparsable YAML or an unreadable file, without a stack trace', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'model_list:\n  - model_name: [\n');
    const r = await cli('import', 'litellm', config, '--out', join(dir, 'policies'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.yaml:3:1 error syntax-error: /);
    const missing = await cli('import', 'litellm', join(dir, 'nope.yaml'));
    expect(missing).toMatchObject({ code: 2, stderr: `switchyard: cannot read LiteLLM config ${join(dir, 'nope.yaml')}: ENOENT\n` });
    const badGpu = await cli('import', 'litellm', RPM_TPM, '--gpu', 'a lot');
    expect(badGpu.code).toBe(2);
    expect(badGpu.stderr).toContain('--gpu "a lot": expected [POOL=]MODEL:VRAM_GB[xCOUNT]');
    expect(existsSync(join(process.cwd(), 'policies-imported'))).toBe(false);
  });

  it('leaves existing files alone without --force, replaces them with it', async () => {
    const out = join(dir, 'policies');
    mkdirSync(out);
    writeFileSync(join(out, 'routing.ts'), 'mine\n');
    const r = await cli('import', 'litellm', RPM_TPM, '--out', out);
    expect(r).toMatchObject({ code: 2, stderr: `switchyard: ${out} already has ${join(out, 'routing.ts')}; nothing written (use --force to overwrite)\n` });
    expect(readdirSync(out)).toEqual(['routing.ts']);
    expect(readFileSync(join(out, 'routing.ts'), 'utf8')).toBe('mine\n');
    const forced = await cli('import', 'litellm', RPM_TPM, '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, 'routing.ts'), 'utf8')).toContain('defineModelGroups');
  });

  it('fails whole when the output cannot be written: a directory in the way, or an output path that is a file', async () => {
    const out = join(dir, 'policies');
    mkdirSync(join(out, 'providers.ts'), { recursive: true });
    const r = await cli('import', 'litellm', RPM_TPM, '--out', out, '--force');
    expect(r).toMatchObject({ code: 2, stderr: `switchyard: ${join(out, 'providers.ts')} exists and is not a file; nothing written\n` });
    expect(readdirSync(out)).toEqual(['providers.ts']);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const f = await cli('import', 'litellm', RPM_TPM, '--out', file);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^switchyard: cannot write .*a-file: (ENOTDIR|EEXIST); nothing written\n$/);
    expect(readFileSync(file, 'utf8')).toBe('x');
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'policies']);
  });

  it('--dry-run checks and reports, and writes nothing', async () => {
    const out = join(dir, 'policies');
    const r = await cli('import', 'litellm', RPM_TPM, '--out', out, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`would write 3 files to ${out}/ (3 providers, 4 deployments, 2 model groups, 0 GPU pools); nothing written (--dry-run)\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('runs from the real bin, and the written folder compiles where it was written', () => {
    const out = join(dir, 'policies');
    const r = cliProcess(['import', 'litellm', join(FIXTURES, 'context-window-fallbacks.yaml'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // The folder lives outside the package and has no node_modules: the loader resolves `switchyard` to the running one.
    const v = cliProcess(['compile', '-p', out, '--out', join(dir, 'generated')], { cwd: dir });
    expect(v.code).toBe(0);
    expect(readFileSync(join(dir, 'generated/litellm/config.yaml'), 'utf8')).toContain(
      '  context_window_fallbacks:\n    - gpt-3.5-turbo:\n        - gpt-4o\n        - claude-haiku\n',
    );
  });
});
