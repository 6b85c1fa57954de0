/**
 * Recommended labels are label values the API server accepts, whatever the
 * names they come from (k8s.io/apimachinery content.IsLabelValue, as the
 * `object-meta` rule mirrors it): the config fuzzer found a 64-character
 * StorageClass name, a valid DNS subdomain, rendered as an
 * app.kubernetes.io/name label the API server refuses.
 */
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { labelValue, recommendedLabels, selectorLabels } from '../../../constructs/lib/labels';
import { StorageClass } from '../../../constructs/storage';
import { labelValueProblems } from '../../../src/analysis/rules-names';
import { formatProblem, validateManifests } from '../../../src/analysis/validate';

describe('recommended labels', () => {
  it('property: labelValue yields a valid label value, and keeps one that already is', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), text => {
      expect(labelValueProblems(labelValue(text))).toEqual([]);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/), value => {
      expect(labelValue(value)).toBe(value);
    }), { numRuns: 300 });
  });

  it('property: every label of any identity is valid, and the selector labels are the recommended ones', () => {
    const chart = new Chart(new App(), 'c');
    fc.assert(fc.property(fc.record({ name: fc.string(), instance: fc.string(), component: fc.string(), partOf: fc.string(), version: fc.string() }), id => {
      const labels = recommendedLabels(chart, id);
      for (const v of Object.values(labels)) expect(labelValueProblems(v)).toEqual([]);
      expect(labels).toMatchObject(selectorLabels(id));
    }), { numRuns: 300 });
  });

  it('a StorageClass with the longest valid name renders labels the API server accepts', () => {
    const app = new App();
    const chart = new Chart(app, 'storage', { disableResourceNameHashes: true });
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    new StorageClass(chart, 'sc', { name, provisioner: 'driver.longhorn.io', labels: recommendedLabels(chart, { name, instance: 'prod', component: 'storage', partOf: 'dockercoins', version: '1.0' }) });
    expect(validateManifests(chart.toJson(), ['object-name', 'object-meta']).map(formatProblem)).toEqual([]);
  });
});
