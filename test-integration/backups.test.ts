/**
 * The backup and restore-drill scripts (constructs/backups/scripts/, the very
 * files the CronJobs mount from the backup-scripts ConfigMap) against a real
 * PostgreSQL started here on loopback (Debian's postgresql 15: initdb and
 * pg_ctl from /usr/lib/postgresql/<major>/bin; as root, the server runs as the
 * `postgres` user). Per requirement:
 * - the setup script creates a least-privilege role (pg_read_all_data, no
 *   superuser, cannot write), idempotently;
 * - a backup as that role produces a restorable pg_dump custom-format archive,
 *   and retention keeps only the KEEP newest;
 * - the drill restores the newest dump into its own scratch server and passes
 *   on good data, and fails loudly (non-zero, a clear message) on a missing
 *   table, too few rows, a corrupt dump and no dump at all;
 * - Consul and S3: no consul or aws binary is installable here, so their
 *   scripts' control flow runs against small stand-ins on PATH (fakes/): the
 *   real Consul and S3 paths are NOT exercised by this suite.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { SCRIPTS_SOURCE_DIR } from '../constructs/backups';

const SCRIPTS = SCRIPTS_SOURCE_DIR;
const FAKES = path.join(__dirname, 'fakes');
const ROOT = process.getuid?.() === 0;

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter(d => fs.existsSync(path.join(base, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install -y postgresql postgresql-client (see README, "Integration tests")');
  return path.join(base, majors[0], 'bin');
}
const BIN = pgBin();
const PATH = `${BIN}:${process.env.PATH}`;

/** Runs a command as the server's OS user (postgres when we are root: initdb refuses root). */
function asServerUser(cmd: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const full = { ...process.env, PATH, ...env };
  if (!ROOT) return spawnSync(cmd, args, { env: full, encoding: 'utf8' });
  const assignments = Object.entries({ PATH, ...env }).map(([k, v]) => `${k}=${v}`);
  return spawnSync('runuser', ['-u', 'postgres', '--', 'env', ...assignments, cmd, ...args], { env: full, encoding: 'utf8' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

const ok = (r: SpawnSyncReturns<string>, what: string) => {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

let tmp: string;
let port: number;
let sock: string;
const DB = 'dockercoins';
const ROLE = 'postgres_backup';
const ROLE_PASSWORD = 'backup-pw-for-tests';

const sh = (script: string, env: Record<string, string>, runAsServer = false) => (runAsServer
  ? asServerUser('sh', [path.join(SCRIPTS, script)], env)
  : spawnSync('sh', [path.join(SCRIPTS, script)], { env: { ...process.env, PATH, ...env }, encoding: 'utf8' }));
const superuser = () => ({ PGHOST: sock, PGPORT: String(port), PGDATABASE: DB, PGUSER: 'postgres' });
const psqlAs = (env: Record<string, string>, sql: string) => asServerUser('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], env);
const backupEnv = (dir: string, keep: number) => ({
  PGHOST: '127.0.0.1', PGPORT: String(port), PGDATABASE: DB, PGUSER: ROLE, PGPASSWORD: ROLE_PASSWORD, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10',
  BACKUP_DIR: dir, KEEP: String(keep), WAIT_TRIES: '3', WAIT_SECONDS: '1',
});
/** A directory the server user may write (the drill runs as it). */
function dir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  if (ROOT) execFileSync('chown', ['postgres:postgres', d]);
  return d;
}
const dumps = (d: string) => fs.readdirSync(d).filter(f => f.endsWith('.dump')).sort();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backups-it-'));
  fs.chmodSync(tmp, 0o755);
  port = await freePort();
  const data = dir('server');
  sock = dir('socket');
  ok(asServerUser('initdb', ['--pgdata', path.join(data, 'pgdata'), '--username=postgres', '--auth-local=peer', '--auth-host=scram-sha-256', '--no-sync']), 'initdb');
  ok(asServerUser('pg_ctl', ['--pgdata', path.join(data, 'pgdata'), '--log', path.join(data, 'log'), '--wait', '--options',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sock} -c fsync=off`, 'start']), 'pg_ctl start');
  ok(asServerUser('createdb', ['-h', sock, '-p', String(port), '-U', 'postgres', DB]), 'createdb');
  ok(psqlAs(superuser(), 'CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY, name text); INSERT INTO app.items SELECT g, md5(g::text) FROM generate_series(1, 25) g;'), 'seed');
});

afterAll(() => {
  if (tmp) {
    asServerUser('pg_ctl', ['--pgdata', path.join(tmp, 'server', 'pgdata'), '--mode=immediate', 'stop']);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe('Postgres backup role (postgres-backup-setup.sh, postgres-backup-role.sql)', () => {
  test('creates a LOGIN role that is a member of pg_read_all_data and nothing more, idempotently (a second run changes nothing and succeeds)', () => {
    for (let i = 0; i < 2; i++) ok(sh('postgres-backup-setup.sh', { ...superuser(), ROLE, ROLE_PASSWORD, WAIT_TRIES: '3', WAIT_SECONDS: '1' }, true), `setup run ${i + 1}`);
    const attrs = ok(psqlAs(superuser(), `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = '${ROLE}'`), 'attrs').trim();
    expect(attrs).toBe('f|f|f|f|f|t');
    const member = ok(psqlAs(superuser(), `SELECT string_agg(r.rolname, ',' ORDER BY r.rolname) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '${ROLE}'`), 'members').trim();
    expect(member).toBe('pg_read_all_data');
    expect(ok(psqlAs(superuser(), 'SELECT count(*) FROM platform_backup.restore_canary'), 'canary').trim()).toBe('1');
  });

  test('the backup role reads every table but cannot write or create anything', () => {
    const as = { PGHOST: '127.0.0.1', PGPORT: String(port), PGDATABASE: DB, PGUSER: ROLE, PGPASSWORD: ROLE_PASSWORD };
    expect(ok(psqlAs(as, 'SELECT count(*) FROM app.items'), 'read').trim()).toBe('25');
    for (const sql of ["INSERT INTO app.items VALUES (999, 'x')", 'CREATE TABLE app.evil (id int)', 'DELETE FROM app.items']) {
      const r = psqlAs(as, sql);
      expect([sql, r.status]).not.toEqual([sql, 0]);
      expect(r.stderr).toMatch(/permission denied/);
    }
  });
});

describe('Postgres backup (postgres-backup.sh) and retention', () => {
  test('writes a pg_dump custom-format archive (magic PGDMP) that pg_restore lists, with the app table and the canary', () => {
    const d = dir('backup-one');
    const out = ok(sh('postgres-backup.sh', backupEnv(d, 7)), 'backup');
    expect(out).toMatch(/backup done/);
    const files = dumps(d);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^dockercoins-\d{8}T\d{6}Z\.dump$/);
    expect(fs.readFileSync(path.join(d, files[0])).subarray(0, 5).toString()).toBe('PGDMP');
    const toc = ok(spawnSync('pg_restore', ['--list', path.join(d, files[0])], { env: { ...process.env, PATH }, encoding: 'utf8' }), 'list');
    expect(toc).toMatch(/TABLE DATA app items/);
    expect(toc).toMatch(/TABLE DATA platform_backup restore_canary/);
    expect(fs.readdirSync(d).filter(f => f.includes('partial'))).toEqual([]);
  });

  test('keeps the KEEP newest dumps and deletes older ones (names sort by time); other files are left alone', () => {
    const d = dir('backup-retention');
    const old = ['dockercoins-20200101T000000Z.dump', 'dockercoins-20200102T000000Z.dump', 'dockercoins-20200103T000000Z.dump'];
    for (const f of old) fs.writeFileSync(path.join(d, f), 'old');
    fs.writeFileSync(path.join(d, 'notes.txt'), 'not a backup');
    const out = ok(sh('postgres-backup.sh', backupEnv(d, 2)), 'backup');
    const left = dumps(d);
    expect(left).toHaveLength(2);
    expect(left[0]).toBe(old[2]);
    expect(left[1]).toMatch(/^dockercoins-\d{8}T\d{6}Z\.dump$/);
    expect(left[1] > old[2]).toBe(true);
    expect(fs.existsSync(path.join(d, 'notes.txt'))).toBe(true);
    expect(out).toMatch(/retention: deleted dockercoins-20200101T000000Z\.dump/);
  });

  test('fails, and keeps the old dumps, when Postgres refuses the role (wrong password)', () => {
    const d = dir('backup-refused');
    fs.writeFileSync(path.join(d, 'dockercoins-20200101T000000Z.dump'), 'old');
    const r = sh('postgres-backup.sh', { ...backupEnv(d, 1), PGPASSWORD: 'wrong' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: pg_dump of dockercoins failed/);
    expect(dumps(d)).toEqual(['dockercoins-20200101T000000Z.dump']);
  });
});

describe('Postgres restore drill (postgres-drill.sh) in a scratch server of its own', () => {
  let good: string;
  beforeAll(() => {
    good = dir('drill-source');
    ok(sh('postgres-backup.sh', backupEnv(good, 7)), 'backup for drills');
  });
  const drill = (backupDir: string, checks: string) => sh('postgres-drill.sh', { BACKUP_DIR: backupDir, WORK_DIR: dir(`work-${Math.random().toString(36).slice(2)}`), CHECKS: checks }, true);

  test('passes on a good dump: every table check holds, the canary included', () => {
    const r = drill(good, 'platform_backup.restore_canary:1 app.items:25');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/check app\.items: 25 rows \(at least 25\)/);
    expect(r.stdout).toMatch(/drill passed: dockercoins-\d{8}T\d{6}Z\.dump restores, 2 table checks hold/);
  });

  test('fails loudly on a missing table', () => {
    const r = drill(good, 'app.items:1 app.missing:1');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: table app\.missing is missing from dockercoins-.*\.dump/);
  });

  test('fails loudly on too few rows', () => {
    const r = drill(good, 'app.items:26');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: table app\.items has 25 rows in .*, expected at least 26/);
  });

  test('fails loudly on a corrupt newest dump (even with a good older one)', () => {
    const d = dir('drill-corrupt');
    fs.copyFileSync(path.join(good, dumps(good)[0]), path.join(d, 'dockercoins-20200101T000000Z.dump'));
    fs.writeFileSync(path.join(d, 'dockercoins-29990101T000000Z.dump'), 'PGDMP but not really');
    if (ROOT) execFileSync('chown', ['-R', 'postgres:postgres', d]);
    const r = drill(d, 'app.items:1');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: dockercoins-29990101T000000Z\.dump is not a readable pg_dump archive/);
  });

  test('fails loudly on a truncated dump: pg_restore into the scratch database fails', () => {
    const d = dir('drill-truncated');
    const bytes = fs.readFileSync(path.join(good, dumps(good)[0]));
    fs.writeFileSync(path.join(d, 'dockercoins-29990101T000000Z.dump'), bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    if (ROOT) execFileSync('chown', ['-R', 'postgres:postgres', d]);
    const r = drill(d, 'app.items:1');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: (pg_restore of .* into the scratch database failed|.* is not a readable pg_dump archive)/);
  });

  test('fails loudly when there is no dump', () => {
    const r = drill(dir('drill-empty'), 'app.items:1');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FAILED: no dump in .*drill-empty/);
  });
});

describe('Consul backup and drill (consul-backup.sh, consul-drill.sh) against a stand-in consul CLI (the real Consul path is not run here)', () => {
  const env = (extra: Record<string, string>) => ({ PATH: `${FAKES}:${PATH}`, FAKE_CONSUL_ROOT: dir('consul-fake'), MARKER_NAME: 'dockercoins-backup/last-snapshot', ...extra });
  const run = (script: string, e: Record<string, string>) => spawnSync('sh', [path.join(SCRIPTS, script)], { env: { ...process.env, ...e }, encoding: 'utf8' });

  test('backup writes the marker, saves a snapshot that inspects, keeps the KEEP newest; the drill restores it into a scratch agent and finds the keys', () => {
    const backupsDir = dir('consul-backups');
    const base = env({ CONSUL_HTTP_ADDR: 'https://consul.data.svc:8501' });
    ok(run('consul-backup.sh', { ...base, BACKUP_DIR: backupsDir, KEEP: '7' }), 'seed');
    // An application key in the "production" cluster.
    ok(spawnSync('consul', ['kv', 'put', 'app/config', 'v1'], { env: { ...process.env, ...base }, encoding: 'utf8' }), 'kv put');
    for (const f of ['consul-20200101T000000Z.snap', 'consul-20200102T000000Z.snap']) fs.writeFileSync(path.join(backupsDir, f), 'old');
    ok(run('consul-backup.sh', { ...base, BACKUP_DIR: backupsDir, KEEP: '2' }), 'backup');
    const snaps = fs.readdirSync(backupsDir).filter(f => f.endsWith('.snap')).sort();
    expect(snaps).toHaveLength(2);
    expect(snaps).not.toContain('consul-20200101T000000Z.snap');
    const r = run('consul-drill.sh', { ...base, BACKUP_DIR: backupsDir, WORK_DIR: dir('consul-work'), KV_CHECKS: 'app/config', WAIT_SECONDS: '0' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/drill passed: consul-\d{8}T\d{6}Z\.snap restores, 2 keys present/);
    // The drill talked to its own loopback agent, never to the production address.
    const calls = fs.readFileSync(path.join(base.FAKE_CONSUL_ROOT, 'calls.log'), 'utf8');
    expect(calls).toMatch(/consul agent -dev -bind=127\.0\.0\.1 -client=127\.0\.0\.1/);
    expect(fs.readdirSync(base.FAKE_CONSUL_ROOT)).toContain('http___127_0_0_1_8500');
  });

  test('the drill fails loudly on a missing key, a corrupt snapshot and no snapshot', () => {
    const backupsDir = dir('consul-backups-2');
    const base = env({ CONSUL_HTTP_ADDR: 'http://consul.data.svc:8500' });
    ok(run('consul-backup.sh', { ...base, BACKUP_DIR: backupsDir, KEEP: '7' }), 'backup');
    const drill = (d: string, keys: string) => run('consul-drill.sh', { ...base, BACKUP_DIR: d, WORK_DIR: dir(`cw-${Math.random().toString(36).slice(2)}`), KV_CHECKS: keys, WAIT_SECONDS: '0' });
    const missing = drill(backupsDir, 'app/never-written');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/FAILED: key app\/never-written is missing from consul-.*\.snap/);
    fs.writeFileSync(path.join(backupsDir, 'consul-29990101T000000Z.snap'), 'garbage');
    const corrupt = drill(backupsDir, '');
    expect(corrupt.status).not.toBe(0);
    expect(corrupt.stderr).toMatch(/FAILED: consul-29990101T000000Z\.snap is not a readable Consul snapshot/);
    const none = drill(dir('consul-none'), '');
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/FAILED: no snapshot in /);
  });
});

describe('S3 upload and fetch (s3-upload.sh, s3-fetch.sh) against a stand-in aws CLI (the real S3 path is not run here)', () => {
  test('uploads the newest backup, keeps the KEEP newest objects, and fetch brings back the newest; credentials come from the environment only', () => {
    const bucketRoot = dir('s3');
    const src = dir('s3-src');
    const e = { PATH: `${FAKES}:${PATH}`, FAKE_S3_ROOT: bucketRoot, S3_URI: 's3://bucket/prod/postgres', SUFFIX: '.dump', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'key' };
    fs.mkdirSync(path.join(bucketRoot, 'bucket/prod/postgres'), { recursive: true });
    for (const f of ['dockercoins-20200101T000000Z.dump', 'dockercoins-20200102T000000Z.dump']) fs.writeFileSync(path.join(bucketRoot, 'bucket/prod/postgres', f), 'old');
    fs.writeFileSync(path.join(src, 'dockercoins-20250101T021500Z.dump'), 'new');
    const run = (script: string, extra: Record<string, string>) => spawnSync('sh', [path.join(SCRIPTS, script)], { env: { ...process.env, ...e, ...extra }, encoding: 'utf8' });
    ok(run('s3-upload.sh', { SOURCE_DIR: src, KEEP: '2' }), 'upload');
    expect(fs.readdirSync(path.join(bucketRoot, 'bucket/prod/postgres')).sort()).toEqual(['dockercoins-20200102T000000Z.dump', 'dockercoins-20250101T021500Z.dump']);
    const into = dir('s3-into');
    ok(run('s3-fetch.sh', { TARGET_DIR: into }), 'fetch');
    expect(fs.readdirSync(into)).toEqual(['dockercoins-20250101T021500Z.dump']);
    const noCredentials = run('s3-upload.sh', { SOURCE_DIR: src, KEEP: '2', AWS_ACCESS_KEY_ID: '' });
    expect(noCredentials.status).not.toBe(0);
    const empty = run('s3-fetch.sh', { TARGET_DIR: into, S3_URI: 's3://bucket/nothing' });
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toMatch(/FAILED: /);
  });
});
