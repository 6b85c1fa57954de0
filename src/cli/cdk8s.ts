import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadEnvironment } from '../config';
import { renderEnvironment } from '../render';

/**
 * The `app` of cdk8s.yaml: renders one environment (DOCKERCOINS_ENV, default
 * dev) into the directory the cdk8s CLI passes in CDK8S_OUTDIR, so that
 * `npx cdk8s synth` and its validation plugins work as usual.
 */
export function main(): number {
  const name = process.env.DOCKERCOINS_ENV || 'dev';
  const outdir = process.env.CDK8S_OUTDIR || 'cdk8s.out';
  try {
    const files = renderEnvironment(loadEnvironment(name));
    fs.mkdirSync(outdir, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(outdir, file.name), file.content);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
}
