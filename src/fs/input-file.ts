/**
 * Reading a file the user named (a policy, --plan, a rule file): a regular
 * file only, never a symbolic link, a FIFO, a device or a directory, and
 * never more than a size cap. A pull request can commit a symlink named
 * `policies/routing.yaml` pointing at `~/.aws/credentials`, and a code frame
 * of that "policy" would print the credentials into a public CI log; a path
 * such as /dev/zero or a FIFO would hang the CLI or fill its memory.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { SwitchyardError } from '../errors.ts';

/** The biggest policy source file read (a 10k-deployment JSON policy is about 3 MB). */
export const MAX_POLICY_FILE_BYTES = 32 * 1024 * 1024;
/** The biggest plan.json read. */
export const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

/** An input file that cannot be read as one: exit code 2, one line naming the file. */
export class InputFileError extends SwitchyardError {
  constructor(
    message: string,
    readonly reason: 'missing' | 'not-regular' | 'symlink' | 'too-large' | 'unreadable',
  ) {
    super(message, `input-${reason}`);
  }
}

const MB = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;

/** Why `file` cannot be an input file, or undefined when it is a regular file within the cap. */
export function inputFileProblem(file: string, maxBytes: number, what = 'input file'): InputFileError | undefined {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new InputFileError(`${what} ${file} does not exist`, 'missing');
    return new InputFileError(`cannot read ${what} ${file} (${code ?? (e as Error).message})`, 'unreadable');
  }
  if (st.isSymbolicLink()) return new InputFileError(`${what} ${file} is a symbolic link; only regular files are read`, 'symlink');
  if (!st.isFile()) return new InputFileError(`${what} ${file} is not a regular file (${kindOf(st)})`, 'not-regular');
  if (st.size > maxBytes) {
    // just over the cap rounds to the cap in MiB: say it in bytes then
    const [size, cap] = MB(st.size) === MB(maxBytes) ? [`${st.size} bytes`, `${maxBytes} bytes`] : [MB(st.size), MB(maxBytes)];
    return new InputFileError(`${what} ${file} is ${size}, more than the ${cap} allowed`, 'too-large');
  }
  return undefined;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * The text of a regular file of at most `maxBytes`. Opened with O_NOFOLLOW
 * and O_NONBLOCK and checked again on the open descriptor, so a file swapped
 * for a link or a FIFO after the lstat is refused too; the read stops at the
 * cap even if the file grows meanwhile.
 */
export function readInputFile(file: string, opts: { maxBytes: number; what?: string }): string {
  const what = opts.what ?? 'input file';
  const problem = inputFileProblem(file, opts.maxBytes, what);
  if (problem) throw problem;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new InputFileError(`${what} ${file} is a symbolic link; only regular files are read`, 'symlink');
    throw new InputFileError(`cannot read ${what} ${file} (${code ?? (e as Error).message})`, 'unreadable');
  }
  try {
    if (!fstatSync(fd).isFile()) throw new InputFileError(`${what} ${file} is not a regular file`, 'not-regular');
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > opts.maxBytes) throw new InputFileError(`${what} ${file} is more than the ${MB(opts.maxBytes)} allowed`, 'too-large');
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'unreadable');
  } finally {
    closeSync(fd);
  }
}
