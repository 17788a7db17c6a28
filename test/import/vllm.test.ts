/**
 * Reading vLLM launch configs: command lines as a shell splits them, the
 * flag forms `vllm serve` accepts (`--flag value`, `--flag=value`, short
 * aliases, boolean and --no- flags, a list of served names), JSON argument
 * lists, and the --vllm / --gpu specs of the command.
 */
import { describe, expect, it } from 'vitest';
import { argvToConfig, parseGpuSpec, parseVllmSpec, readVllmSource, shellWords } from '../../src/import/vllm.ts';
import { Input } from '../../src/import/input.ts';

describe('vLLM launch configs', () => {
  it('splits command lines as a shell does', () => {
    expect(shellWords(`vllm serve "meta-llama/Llama 3" \\\n  --served-model-name 'a b' --port=8001 # started by systemd\n--x "q\\"x"`)).toEqual([
      'vllm',
      'serve',
      'meta-llama/Llama 3',
      '--served-model-name',
      'a b',
      '--port=8001',
      '--x',
      'q"x',
    ]);
  });

  it('reads flags into the keys of a --config file', () => {
    expect(
      argvToConfig([
        'vllm',
        'serve',
        'meta-llama/Llama-3.1-8B-Instruct',
        '--served-model-name',
        'llama',
        'llama-alias',
        '-tp',
        '2',
        '--max-model-len=16384',
        '--enable-prefix-caching',
        '--no-enable-chunked-prefill',
        '-q',
        'awq',
        '--gpu-memory-utilization',
        '0.85',
      ]),
    ).toEqual({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      'served-model-name': ['llama', 'llama-alias'],
      'tensor-parallel-size': '2',
      'max-model-len': '16384',
      'enable-prefix-caching': true,
      'no-enable-chunked-prefill': true,
      quantization: 'awq',
      'gpu-memory-utilization': '0.85',
    });
    // Switchyard's own *.args.json has no leading `vllm serve`.
    expect(argvToConfig(['m', '--port', '8000'])).toEqual({ model: 'm', port: '8000' });
  });

  it('locates a flag of a command line at its line', () => {
    const input = readVllmSource({ pools: [], file: 'serve.sh', text: 'vllm serve m \\\n  --port 8000 \\\n  --swap-space 4\n' });
    expect(input).toBeInstanceOf(Input);
    const i = input as Input;
    expect(i.at(['swap-space'])).toEqual({ file: 'serve.sh', line: 3, column: 1 });
    expect(i.label(['swap-space'])).toBe('--swap-space');
    const json = readVllmSource({ pools: [], file: 'a.args.json', text: '{"model": "m"}' }) as Input;
    expect(json.diagnostics.map((d) => d.code)).toEqual(['import-invalid']);
  });

  it('parses --vllm and --gpu specs', () => {
    expect(parseVllmSpec('pool-a+pool-b=configs/70b.yaml')).toEqual({ pools: ['pool-a', 'pool-b'], file: 'configs/70b.yaml' });
    expect(parseVllmSpec('C:=weird')).toEqual({ pools: [], file: 'C:=weird' });
    expect(parseVllmSpec('serve.yaml')).toEqual({ pools: [], file: 'serve.yaml' });
    expect(parseGpuSpec('pool-c=RTX 3090:24')).toEqual({ pool: 'pool-c', model: 'RTX 3090', vramGb: 24 });
    expect(parseGpuSpec('H100 SXM:80x8')).toEqual({ model: 'H100 SXM', vramGb: 80, count: 8 });
    expect(parseGpuSpec('RTX 4090')).toMatch(/expected \[POOL=\]MODEL:VRAM_GB\[xCOUNT\]/);
    expect(parseGpuSpec('A100:0')).toMatch(/must be positive/);
  });
});
