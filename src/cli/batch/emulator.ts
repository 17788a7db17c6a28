import { Command } from 'commander';
import { startEmulator } from '../../batch/emulator/server.ts';
import { parsePromDuration } from '../../observability/promql.ts';
import { createSecretResolver } from '../../secrets/resolve.ts';
import { SECRET_REF_PATTERN } from '../../model/common.ts';
import { UserError, type Io } from '../context.ts';

interface EmulatorOpts {
  port: string;
  host: string;
  speed: string;
  apiKeyRef?: string;
  validating: string;
  perRequest: string;
  finalizing: string;
  failureRate: string;
  debug?: boolean;
}

const duration = (flag: string, v: string): number => {
  const ms = parsePromDuration(v);
  if (ms === null) throw new UserError(`${flag} ${JSON.stringify(v)} is not a duration such as 500ms or 5s`);
  return ms;
};

export function emulatorCommand(io: Io, done: (code: number) => void): Command {
  return new Command('emulator')
    .description(
      "a local stand-in for OpenAI's Files and Batches endpoints, to try the batch workflow offline: batches validate, run, finalize, expire and cancel on an emulated clock; state is kept in memory until stopped (SIGINT or SIGTERM)",
    )
    .option('--port <port>', 'port to listen on (0: any free port)', '8089')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--speed <factor>', 'emulated time runs this many times faster than real time', '1')
    .option('--api-key-ref <ref>', 'accept only this key (a secret reference: env:NAME or vault:path#field); default: any key')
    .option('--validating <duration>', 'emulated time a batch spends validating', '5s')
    .option('--per-request <duration>', 'emulated time each request takes', '500ms')
    .option('--finalizing <duration>', 'emulated time a batch spends finalizing', '5s')
    .option('--failure-rate <fraction>', 'share of requests that fail with a 500 (to try retry-failed)', '0')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: EmulatorOpts) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UserError('--port must be a port number (0-65535)');
      const speed = Number(opts.speed);
      if (!Number.isFinite(speed) || speed <= 0 || speed > 1e7) throw new UserError('--speed must be a number above 0');
      const failureRate = Number(opts.failureRate);
      if (!(failureRate >= 0 && failureRate <= 1)) throw new UserError('--failure-rate must be between 0 and 1');
      let apiKey: string | null = null;
      if (opts.apiKeyRef !== undefined) {
        if (!SECRET_REF_PATTERN.test(opts.apiKeyRef)) throw new UserError('--api-key-ref must be a secret reference (env:NAME or vault:path#field)');
        apiKey = await createSecretResolver().resolve(opts.apiKeyRef);
      }
      let emu: Awaited<ReturnType<typeof startEmulator>>;
      try {
        emu = await startEmulator({
          port,
          host: opts.host,
          speed,
          apiKey,
          pace: {
            validatingMs: duration('--validating', opts.validating),
            perRequestMs: Math.max(1, duration('--per-request', opts.perRequest)),
            finalizingMs: duration('--finalizing', opts.finalizing),
            failureRate,
          },
        });
      } catch (e) {
        throw new UserError(`cannot listen on ${opts.host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      io.stdout(`batch emulator listening on ${emu.url} (time x${speed}${apiKey ? ', one API key' : ', any API key'}); stop with Ctrl-C\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emu.close();
      io.stderr('batch emulator stopped\n');
      done(0);
    });
}
