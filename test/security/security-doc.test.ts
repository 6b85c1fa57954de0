/** docs/security.md: its "who can reach what" table is the flow model of dist/prod, and the page links the TLS page. */
import * as fs from 'fs';
import * as path from 'path';
import { loadManifests } from '../../src/analysis/objects';
import { flowTable } from '../../src/analysis/flow-table';

const ROOT = path.join(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');

test('the flow table in docs/security.md equals the flows dist/prod allows (regenerate: node -e "require(\'./bin/register.js\');console.log(require(\'./src/analysis/flow-table\').flowTable(require(\'./src/analysis/objects\').loadManifests([\'dist/prod\'])))")', () => {
  const m = /<!-- flows:prod:begin -->\n([\s\S]*?)\n<!-- flows:prod:end -->/.exec(doc);
  expect(m).not.toBeNull();
  expect(m![1]).toBe(flowTable(loadManifests([path.join(ROOT, 'dist', 'prod')])));
});

test('the threat model names each identity the model creates and links the encryption page', () => {
  expect(doc).toContain('](security-tls.md)');
  for (const name of ['fluent-bit-writer', 'kibana_system', 'consul-server-agent', 'prometheus-metrics', 'postgres_exporter', 'initial_management', 'superuser-credential', 'insecure-skip-verify']) {
    expect(doc).toContain(name);
  }
});
