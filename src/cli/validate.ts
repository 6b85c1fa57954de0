/**
 * `validate [paths...]`: runs the review rules (src/analysis/validate.ts) on
 * rendered manifests and prints one line per problem.
 *
 * Exit codes: 0 no problems, 1 problems found, 2 usage error or unreadable
 * input. The function returns the code; only the `require.main` wrapper at
 * the bottom touches the process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { K8sObject, compareStrings, isHiddenName, loadManifests } from '../analysis/objects';
import { formatProblem, RULE_SUMMARIES, RULES, validateManifests } from '../analysis/validate';

/** Where the CLI writes; injectable for tests. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export const USAGE = `usage: validate [paths...]
       validate --help

Checks Kubernetes manifests (files, or directories of *.yaml, *.yml, *.json;
default: dist/), rendered or hand-written, against the schema and the review
rules, and prints one line per problem: <object>: [<rule>] <message>.

Rules:
${RULES.map((r) => `  ${r.padEnd(20)} ${RULE_SUMMARIES[r]}`).join('\n')}

A directory whose only content is sub-directories (like dist/ with one folder
per environment) is checked one sub-directory at a time, because rules that
relate objects (selectors, Ingress backends, namespace levels) must only see
one environment. Directories whose name starts with "." (synth's .tmp-* and
.old-* staging folders, .git) are skipped unless named explicitly.

  -h, --help   show this help
  --           end of options: every later argument is a path

Exit status: 0 no problems, 1 problems found, 2 usage error, unreadable input
or no manifests.
`;

/** One independently validated object set. */
interface ManifestSet {
  label: string;
  paths: string[];
}

/**
 * Expands the arguments into sets: a directory that holds only directories
 * (an environments folder) becomes one set per sub-directory. Hidden
 * directories (synth's `.tmp-<env>-<pid>` / `.old-<env>-<pid>`) are neither
 * environments nor part of one.
 */
function manifestSets(paths: string[]): ManifestSet[] {
  const sets: ManifestSet[] = [];
  for (const p of paths) {
    if (p === '') throw new Error('an empty path ("") was given: name a file or folder (an unset shell variable?)');
    if (!fs.existsSync(p)) throw new Error(`${p}: no such file or directory`);
    if (fs.statSync(p).isDirectory()) {
      const entries = fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name));
      const dirs = entries.filter((e) => e.isDirectory() && !isHiddenName(e.name));
      // A synth killed between its two renames leaves <env>/ missing and the old copy in .old-<env>-<pid>/.
      for (const e of entries) {
        const interrupted = /^\.old-(.+)-\d+$/.exec(e.name);
        if (e.isDirectory() && interrupted && !fs.existsSync(path.join(p, interrupted[1]))) {
          throw new Error(`${path.join(p, interrupted[1])}/ is missing: a synth was interrupted while replacing it, and its previous copy is in ${path.join(p, e.name)}/; run \`npm run synth\` to restore and re-render it`);
        }
      }
      const files = entries.filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name));
      if (dirs.length > 0 && files.length === 0) {
        for (const d of dirs) sets.push({ label: path.join(p, d.name), paths: [path.join(p, d.name)] });
        continue;
      }
    }
    sets.push({ label: p, paths: [p] });
  }
  return sets;
}

/** The arguments, or a usage error message. */
function parseArgv(argv: string[]): { help: boolean; paths: string[] } | { error: string } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { help: values.help === true, paths: positionals };
  } catch (err: any) {
    const message = String(err?.message ?? err);
    if (err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      return { error: `unknown option ${/'([^']+)'/.exec(message)?.[1] ?? message}` };
    }
    if (err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      return { error: `option ${/--[\w-]+/.exec(message)?.[0] ?? message} does not take a value` };
    }
    return { error: message };
  }
}

/** Runs the CLI with `argv` (without node and script). Returns the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const args = parseArgv(argv);
  if ('error' in args) {
    io.err(`validate: ${args.error}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const paths = args.paths.length > 0 ? args.paths : ['dist'];

  let sets: Array<ManifestSet & { objects: K8sObject[] }>;
  try {
    sets = manifestSets(paths).map((s) => ({ ...s, objects: loadManifests(s.paths) }));
  } catch (err) {
    io.err(`validate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  // An empty set passing would hide a wrong path or a failed render.
  const empty = sets.filter((s) => s.objects.length === 0);
  if (empty.length > 0) {
    io.err(empty.map((s) => `validate: ${s.label}: no Kubernetes objects (*.yaml, *.yml, *.json) found\n`).join(''));
    return 2;
  }

  let problems = 0;
  let objects = 0;
  const affected = new Set<string>();
  for (const set of sets) {
    objects += set.objects.length;
    const prefix = sets.length > 1 ? `${set.label}: ` : '';
    for (const p of validateManifests(set.objects)) {
      io.out(`${prefix}${formatProblem(p)}\n`);
      problems++;
      affected.add(`${set.label}\0${p.object}`);
    }
  }
  const where = sets.map((s) => s.label).join(', ');
  if (problems === 0) {
    io.out(`validate: ${objects} object${objects === 1 ? '' : 's'} in ${where}: no problems\n`);
    return 0;
  }
  io.out(`validate: ${problems} problem${problems === 1 ? '' : 's'} in ${affected.size} of ${objects} objects (${where})\n`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
