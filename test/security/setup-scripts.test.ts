/**
 * The setup Jobs' and Consul's start-up scripts, run for real in a shell with
 * the external programs (curl, consul, psql, pg_isready) replaced by
 * recorders: what each script sends, that it stops on a bad Secret value
 * before sending anything, and that a second run changes nothing it need not.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifests } from '../../src/analysis/objects';
import { consulSecretsScript, CONSUL_RUN_DIR, CONSUL_SECRETS_DIR } from '../../constructs/consul';
import { podSpec } from '../helpers';

const objects = loadManifests([path.join(__dirname, '..', '..', 'dist', 'prod')]);
const jobScript = (prefix: string) => {
  const job = objects.find(o => o.kind === 'Job' && new RegExp(`^${prefix}-[0-9a-f]{8}$`).test(o.metadata.name))!;
  const cmd = podSpec(job).containers[0].command as string[];
  expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
  return cmd[2];
};
const consul = objects.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'consul')!;
const SCRIPTS = {
  'elasticsearch-setup': jobScript('elasticsearch-setup'),
  'consul-acl-setup': jobScript('consul-acl-setup'),
  'postgres-exporter-setup': jobScript('postgres-exporter-setup'),
  'consul secrets-config': (podSpec(consul).initContainers.find((c: any) => c.name === 'secrets-config').command as string[])[2],
};

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fake program on PATH: records its argv (and stdin) as one JSON line, then runs `behaviour` (sh). */
function fake(name: string, behaviour: string): void {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh
node -e 'const fs=require("fs");let stdin="";try{if(process.argv[2]==="stdin")stdin=fs.readFileSync(0,"utf8")}catch(e){};fs.appendFileSync(process.env.LOG,JSON.stringify({prog:"${name}",args:JSON.parse(process.argv[1]),stdin})+"\\n")' "$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@")" ${name === 'psql' ? 'stdin' : ''}
${behaviour}
`, { mode: 0o755 });
}
function run(script: string, env: Record<string, string>) {
  const r = spawnSync('sh', ['-c', script], { env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, LOG: path.join(dir, 'log'), ...env }, encoding: 'utf8', timeout: 20_000 });
  const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, log };
}

test.each(Object.entries(SCRIPTS))('%s parses as POSIX sh (sh -n)', (_name, script) => {
  expect(() => execFileSync('sh', ['-n', '-c', script])).not.toThrow();
});

describe('elasticsearch-setup', () => {
  const env = { ELASTICSEARCH_URL: 'http://es:9200', ELASTIC_PASSWORD: 'e1', KIBANA_SYSTEM_PASSWORD: 'k2', FLUENT_BIT_PASSWORD: 'f3' };
  // curl: the status asked for with --write-out is 200; --output gets an empty JSON object.
  const curl200 = 'out=""; prev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done; [ -n "$out" ] && [ "$out" != /dev/null ] && echo "{}" > "$out"; printf 200';

  test('authenticates as elastic, then sets kibana_system and creates the writer role and user, with JSON bodies', () => {
    fake('curl', curl200);
    const r = run(SCRIPTS['elasticsearch-setup'].replace(/\/tmp\/response/g, path.join(dir, 'response')), env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const calls = r.log.map((c: any) => {
      const a: string[] = c.args;
      const at = (flag: string) => (a.includes(flag) ? a[a.indexOf(flag) + 1] : undefined);
      return { method: at('-X') ?? 'GET', url: a.find(x => x.startsWith('http://')), user: at('-u'), body: at('--data-binary') };
    });
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      'GET http://es:9200/_security/_authenticate',
      'POST http://es:9200/_security/user/kibana_system/_password',
      'PUT http://es:9200/_security/role/fluent-bit-writer',
      'PUT http://es:9200/_security/user/fluent-bit',
      // Then the log lifecycle and, this environment taking snapshots, the repository and its policy
      // (test/stacks/log-lifecycle.test.ts checks the bodies and a second run).
      'PUT http://es:9200/_ilm/policy/kubernetes-logs',
      'PUT http://es:9200/_index_template/kubernetes-logs',
      'PUT http://es:9200/kubernetes-*/_settings?allow_no_indices=true&expand_wildcards=open,closed',
      'PUT http://es:9200/_snapshot/logs',
      'PUT http://es:9200/_slm/policy/nightly-logs',
      'GET http://es:9200/_slm/policy/nightly-logs',
      'POST http://es:9200/_slm/policy/nightly-logs/_execute',
    ]);
    expect(new Set(calls.map(c => c.user))).toEqual(new Set(['elastic:e1']));
    expect(JSON.parse(calls[1].body!)).toEqual({ password: 'k2' });
    expect(JSON.parse(calls[2].body!).indices[0]).toMatchObject({ names: ['kubernetes-*'], privileges: ['create_doc', 'auto_configure'] });
    expect(JSON.parse(calls[3].body!)).toMatchObject({ password: 'f3', roles: ['fluent-bit-writer'] });
  });

  test('refuses a password that would break the JSON body, before any call', () => {
    fake('curl', curl200);
    const r = run(SCRIPTS['elasticsearch-setup'], { ...env, FLUENT_BIT_PASSWORD: 'a"b' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FLUENT_BIT_PASSWORD must be non-empty and only letters, digits');
    expect(r.log).toEqual([]);
  });

  test('fails (the Job retries) when Elasticsearch refuses a call', () => {
    fake('curl', 'for a in "$@"; do case "$a" in */_authenticate) printf 200; exit 0;; esac; done; out=""; prev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done; echo "{\\"error\\":\\"denied\\"}" > "$out"; printf 403');
    const r = run(SCRIPTS['elasticsearch-setup'].replace(/\/tmp\/response/g, path.join(dir, 'response')), env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kibana_system password: HTTP 403: {"error":"denied"}');
  });
});

describe('consul secrets-config (init container of the servers)', () => {
  const script = () => SCRIPTS['consul secrets-config'].split(CONSUL_SECRETS_DIR).join(path.join(dir, 'secrets')).split(CONSUL_RUN_DIR).join(path.join(dir, 'run'));
  const write = (values: { gossip: string; management: string; agent: string }) => {
    for (const [d, k, v] of [['gossip', 'key', values.gossip], ['management', 'token', values.management], ['agent', 'token', values.agent]]) {
      fs.mkdirSync(path.join(dir, 'secrets', d), { recursive: true });
      fs.writeFileSync(path.join(dir, 'secrets', d, k), v);
    }
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  };
  const good = { gossip: Buffer.alloc(32, 7).toString('base64'), management: '0b7e5bde-3f0e-4c8b-9a55-1f1d7a1c2e3f', agent: '6f1a3b9c-2d4e-4f60-8a7b-9c0d1e2f3a4b' };

  test('the rendered file sets encrypt, initial_management and the agent token (mode 0600)', () => {
    write(good);
    const r = run(script(), {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const file = path.join(dir, 'run', 'secrets.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ encrypt: good.gossip, acl: { tokens: { initial_management: good.management, agent: good.agent } } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test.each([
    ['a gossip key of 20 bytes', { ...good, gossip: Buffer.alloc(20, 1).toString('base64') }, 'consul-gossip-key/key must be base64 of 16, 24 or 32 random bytes'],
    ['a gossip key that is not base64', { ...good, gossip: 'not base64!' }, 'consul-gossip-key/key must be base64'],
    ['an upper-case management token', { ...good, management: good.management.toUpperCase() }, 'consul-management-token/token must be a lower-case UUID'],
    ['a JSON-breaking agent token', { ...good, agent: '"}, "x": {"' }, 'consul-agent-token/token must be a lower-case UUID'],
  ])('refuses %s, naming the Secret, and writes nothing', (_what, values, message) => {
    write(values);
    const r = run(script(), {});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(fs.existsSync(path.join(dir, 'run', 'secrets.json'))).toBe(false);
  });

  test('is the function the construct renders (one source of the script)', () => {
    expect(SCRIPTS['consul secrets-config']).toBe(consulSecretsScript({
      gossipKey: { name: 'consul-gossip-key', key: 'key' }, managementToken: { name: 'consul-management-token', key: 'token' }, agentToken: { name: 'consul-agent-token', key: 'token' },
    }));
  });
});

describe('consul-acl-setup', () => {
  const script = () => SCRIPTS['consul-acl-setup'].split('/consul/secrets').join(path.join(dir, 'secrets'));
  beforeEach(() => {
    for (const [d, v] of [['management', 'm-token'], ['token-consul-server-agent', 'a-token'], ['token-prometheus-metrics', 'p-token']]) {
      fs.mkdirSync(path.join(dir, 'secrets', d), { recursive: true });
      fs.writeFileSync(path.join(dir, 'secrets', d, 'token'), v);
    }
  });
  const flag = (args: string[], name: string) => args.find(a => a.startsWith(`-${name}=`))?.slice(name.length + 2) ?? (args.includes(`-${name}`) ? args[args.indexOf(`-${name}`) + 1] : undefined);

  test('first run: creates both policies, then both tokens with the SecretIDs from their Secrets, all with the management token', () => {
    // Only the management token resolves; no policy exists yet.
    fake('consul', `case "$*" in *"token read -self -token-file=${dir}/secrets/management/token"*) exit 0;; *"token read"*|*"policy read"*) exit 1;; esac; exit 0`);
    const r = run(script(), {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const writes = r.log.map((c: any) => c.args as string[]).filter(a => ['create', 'update'].includes(a[2]));
    expect(writes.map(a => `${a[1]} ${a[2]} ${flag(a, 'name') ?? flag(a, 'policy-name')}`)).toEqual([
      'policy create consul-server-agent', 'token create consul-server-agent', 'policy create prometheus-metrics', 'token create prometheus-metrics',
    ]);
    expect(writes.every(a => flag(a, 'token-file') === `${dir}/secrets/management/token`)).toBe(true);
    expect(writes.filter(a => a[1] === 'token').map(a => flag(a, 'secret'))).toEqual(['a-token', 'p-token']);
    expect(flag(writes[0], 'rules')).toBe('node_prefix "consul-" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}');
    expect(flag(writes[2], 'rules')).toBe('agent_prefix "consul-" {\n  policy = "read"\n}');
  });

  test('second run: updates the policies by name and leaves existing tokens alone', () => {
    fake('consul', 'exit 0');
    const r = run(script(), {});
    expect(r.status).toBe(0);
    const writes = r.log.map((c: any) => c.args as string[]).filter(a => ['create', 'update'].includes(a[2]));
    expect(writes.map(a => `${a[1]} ${a[2]}`)).toEqual(['policy update', 'policy update']);
    expect(r.stdout).toContain('token prometheus-metrics: exists');
  });
});

describe('postgres-exporter-setup', () => {
  test('waits for Postgres, then creates the role idempotently with the password as a psql variable', () => {
    fake('pg_isready', 'exit 0');
    fake('psql', 'exit 0');
    const r = run(SCRIPTS['postgres-exporter-setup'], { PGHOST: 'postgres', PGPORT: '5432', ROLE_PASSWORD: "p'w" });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const psql = r.log.find((c: any) => c.prog === 'psql');
    expect(psql.args).toEqual(['-v', 'ON_ERROR_STOP=1', '-v', 'role=postgres_exporter', '-v', "password=p'w"]);
    expect(psql.stdin).toContain("WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\\gexec");
    expect(psql.stdin).toContain("NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';");
    expect(psql.stdin).toContain('GRANT pg_monitor TO :"role";');
    expect(psql.stdin).not.toContain("p'w");
  });
});
