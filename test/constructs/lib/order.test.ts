import { execFileSync } from 'child_process';
import * as path from 'path';
import fc from 'fast-check';
import { compareCodePoints } from '../../../constructs/lib/order';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('output order does not depend on the locale', () => {
  test('compareCodePoints is the order of <, a total order', () => {
    fc.assert(fc.property(fc.array(fc.string()), list => {
      const sorted = [...list].sort(compareCodePoints);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1] <= sorted[i]).toBe(true);
    }));
  });

  test('regression: settings, env and StorageClass parameters render in the same order under LANG=et_EE.UTF-8', () => {
    // In Estonian collation "z" sorts between "s" and "t"; localeCompare followed it.
    const script = `
      require('./bin/register');
      const { Testing, Chart } = require('cdk8s');
      const { SettingsConfigMap } = require('./constructs/lib/settings.ts');
      const { StorageClass } = require('./constructs/storage/index.ts');
      const app = Testing.app(); const chart = new Chart(app, 'c');
      const data = { TZ: '1', ZONE: '2', SA: '3', t: '4', z: '5' };
      const cm = new SettingsConfigMap(chart, 's', { name: 's', namespace: 'n', labels: {}, data });
      new StorageClass(chart, 'sc', { name: 'x', provisioner: 'p', parameters: data, labels: {} });
      const objs = Testing.synth(chart);
      process.stdout.write(JSON.stringify([Object.keys(objs[0].data), Object.keys(objs[1].parameters), cm.checksum]));`;
    const run = (lang: string) => execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, LANG: lang, LC_ALL: lang }, encoding: 'utf8' });
    const estonian = JSON.parse(run('et_EE.UTF-8'));
    expect(estonian[0]).toEqual(['SA', 'TZ', 'ZONE', 't', 'z']);
    expect(estonian[1]).toEqual(['SA', 'TZ', 'ZONE', 't', 'z']);
    expect(JSON.parse(run('C.UTF-8'))).toEqual(estonian);
  });
});
