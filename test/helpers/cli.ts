/**
 * Running the CLI's commands in tests: `inProcess` calls a command's own `main` (what bin/run.js
 * calls after picking the command) in this jest worker with stdout and stderr captured and the
 * given environment variables set, which costs a render instead of a Node start, a module load
 * and a cold JIT (about 0.2 s against 0.6 s per synth here); `spawnCli` runs `node bin/run.js`
 * as a real process, for what only a process shows (bin/run.js's dispatch, the bundle, exit codes
 * set by Node, signals, another working directory). Suites run most cases in-process and a sample
 * as processes, which must give the same exit code, stdout and stderr; DOCKERCOINS_STRESS=1
 * (`npm run test:stress`) runs every case both ways.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const RUN_JS = path.join(ROOT, 'bin', 'run.js');
export const STRESS = process.env.DOCKERCOINS_STRESS === '1';

export interface CliRun { status: number | null; stdout: string; stderr: string }

type Main = (argv: string[]) => number | Promise<number>;

/**
 * Runs `node bin/run.js <command> <args>` as the command's `main` in this process. Environment
 * variables in `env` are set for the call and restored after it ('' sets an empty value, as for a
 * process). The working directory stays the project root, as bin/run.js is run from it.
 */
export async function inProcess(argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const [command, ...args] = argv;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require(path.join(ROOT, 'src', 'cli', `${command}.ts`)) as { main: Main };
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]));
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  Object.assign(process.env, env);
  try {
    return { status: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }
}

/** `node bin/run.js <argv>` as a real process, from `cwd` (the project root by default). */
export function spawnCli(argv: readonly string[], env: Record<string, string> = {}, cwd = ROOT): CliRun {
  const result = spawnSync(process.execPath, [path.join(cwd, 'bin', 'run.js'), ...argv], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
