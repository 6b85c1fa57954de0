/**
 * Files the project ships for tools (Pulumi, cdk8s, CI) parse as strict YAML
 * and satisfy the tools' own rules (see pulumi-project-rules.ts for the
 * Pulumi CLI's, cited from its source). Issue 10, blocker 2: `pulumi up`
 * failed on every stack before the program started.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { ENVIRONMENTS } from '../../src/config';
import { checkProject, checkStack, matchesType, parseConfigKey } from './pulumi-project-rules';

const ROOT = path.join(__dirname, '..', '..');

/** Parses like the Go parser the Pulumi CLI uses would accept: strict, unique keys, no warnings. */
function parseStrict(text: string, file: string): unknown {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: false });
  const issues = [...doc.errors, ...doc.warnings].map(e => `${file}: ${e.message.split('\n')[0]}`);
  if (issues.length > 0) throw new Error(issues.join('\n'));
  return doc.toJS();
}

const load = (file: string) => parseStrict(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
const shippedYaml = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.yaml', '*.yml', '.ci/*', '.github/*'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n').filter(f => /\.ya?ml$/.test(f) && !f.startsWith('dist/') && !f.startsWith('test/fixtures/') && fs.existsSync(path.join(ROOT, f)));
const stackFiles = fs.readdirSync(ROOT).filter(f => /^Pulumi\.[^.]+\.yaml$/.test(f)).sort();

/** Pulumi.yaml as it was when `pulumi up` could not start (kept to prove the checks catch it). */
const BROKEN_PROJECT = `name: dockercoins
runtime: nodejs
main: bin/pulumi.js
config:
  dockercoins:environment:
    type: string
    description: Environment whose typed config to deploy (default: the stack name).
  dockercoins:overrides:
    description: Overrides of fields of the environment config.
`;

describe('every YAML file shipped for a tool parses strictly', () => {
  test('the list covers the tool files', () => {
    expect(shippedYaml).toEqual(expect.arrayContaining(['Pulumi.yaml', 'cdk8s.yaml', ...stackFiles]));
  });
  test.each(shippedYaml)('%s', file => {
    expect(() => load(file)).not.toThrow();
  });
  test('regression: a plain scalar containing ": " is refused, as the Go parser refuses it', () => {
    expect(() => parseStrict(BROKEN_PROJECT, 'Pulumi.yaml')).toThrow(/Pulumi\.yaml: Nested mappings are not allowed in compact mappings/);
  });
});

describe('Pulumi.yaml and every stack pass the Pulumi CLI rules', () => {
  const project = load('Pulumi.yaml') as Record<string, unknown>;

  test('the project file', () => {
    expect(checkProject(project)).toEqual([]);
  });

  test.each(stackFiles)('%s: nothing missing, every value of the declared type', file => {
    const stack = file.replace(/^Pulumi\.|\.yaml$/g, '');
    expect(checkStack(project, stack, load(file))).toEqual([]);
  });

  test.each(Object.keys(ENVIRONMENTS))('a stack created with `pulumi stack init %s` (no stack file yet) can run', env => {
    expect(checkStack(project, env, {})).toEqual([]);
  });

  test.each(Object.keys(ENVIRONMENTS))('Pulumi.%s.yaml exists and deploys its own environment', env => {
    const stack = load(`Pulumi.${env}.yaml`) as { config: Record<string, unknown> };
    expect(stack.config['dockercoins:environment'] ?? env).toBe(env);
  });

  test('every stack setting names a key the program reads, in a known environment', () => {
    for (const file of stackFiles) {
      const config = (load(file) as { config?: Record<string, unknown> }).config ?? {};
      for (const [key, value] of Object.entries(config)) {
        expect([file, ['dockercoins:environment', 'dockercoins:overrides', 'kubernetes:context', 'kubernetes:namespace'].includes(key) || /^dockercoins:[a-zA-Z]+$/.test(key)]).toEqual([file, true]);
        if (key === 'dockercoins:environment') expect(Object.keys(ENVIRONMENTS)).toContain(value);
      }
    }
  });

  test('regression: the old project file fails these rules (required keys no stack sets)', () => {
    const fixedScalar = BROKEN_PROJECT.replace('(default: the stack name)', '(defaults to the stack name)');
    const old = parseStrict(fixedScalar, 'Pulumi.yaml') as Record<string, unknown>;
    expect(checkProject(old)).toEqual([]);
    expect(checkStack(old, 'dev', { config: { 'dockercoins:environment': 'dev' } })).toEqual(["Stack 'dev' is missing configuration value 'dockercoins:overrides'"]);
    expect(checkStack(old, 'dev', {})).toEqual(["Stack 'dev' is missing configuration values 'dockercoins:environment' and 'dockercoins:overrides'"]);
  });

  test('the encoded rules refuse what the CLI refuses', () => {
    expect(checkProject({ name: '', runtime: 'nodejs' })).toContain("project is missing a non-empty string 'name' attribute");
    expect(checkProject({ name: 'p', runtime: 'nodejs', config: { 'aws:region': { type: 'string' } } }))
      .toEqual(["Configuration key 'aws:region' is not namespaced by the project and should not define a type", "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"]);
    expect(checkProject({ name: 'p', runtime: 'nodejs', config: { 'p:list': { type: 'array' } } }))
      .toEqual(["The configuration key 'p:list' declares an array but does not specify the underlying type via the 'items' attribute"]);
    expect(checkProject({ name: 'p', runtime: 'nodejs', config: { 'p:n': { type: 'integer', default: 'x' } } }))
      .toEqual(["The default value specified for configuration key 'p:n' is not of the expected type 'integer'"]);
    expect(checkProject({ name: 'p', runtime: 'nodejs', config: { 'p:n': { default: 1, value: 2 } } }))
      .toEqual(["project config 'p:n' cannot have both a 'default' and 'value' attribute"]);
    expect(checkStack({ name: 'p', config: { 'p:o': { type: 'object', default: {} } } }, 's', { config: { 'p:o': 'text' } }))
      .toEqual(["Stack 's' with configuration key 'p:o' must be of type 'object'"]);
    expect(checkStack({ name: 'p', config: {} }, 's', { config: { plain: 1 } }))
      .toEqual(['could not parse plain as a configuration key (configuration keys should be of the form `<namespace>:<name>`)']);
    expect(parseConfigKey('p', 'a:config:b')).toEqual(['a', 'b']);
    expect(parseConfigKey('p', 'a:b:c')).toBeUndefined();
    expect([matchesType('integer', undefined, 3), matchesType('integer', undefined, '3'), matchesType('integer', undefined, 3.5), matchesType('boolean', undefined, 'true')]).toEqual([true, true, false, true]);
  });
});

describe('cdk8s.yaml follows the cdk8s CLI conventions', () => {
  const cdk8s = load('cdk8s.yaml') as { language: string; app: string; output?: string; validations?: Array<{ package: string; class: string; version: string }> };
  test('language, app command and output folder', () => {
    expect(cdk8s.language).toBe('typescript');
    const [cmd, script] = cdk8s.app.split(' ');
    expect(cmd).toBe('node');
    expect(fs.existsSync(path.join(ROOT, script))).toBe(true);
    // The cdk8s CLI empties its output folder: never dist/, which synth owns.
    expect(cdk8s.output).not.toMatch(/^dist\/?$/);
  });
  test('every local validation plugin exists and exports its class', () => {
    for (const v of cdk8s.validations ?? []) {
      expect(v.package.startsWith('./')).toBe(true);
      // The cdk8s CLI require()s the package and instantiates the class.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      expect(typeof require(path.join(ROOT, v.package))[v.class]).toBe('function');
    }
  });
});
