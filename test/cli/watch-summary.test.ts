/**
 * The summary line `synth --watch` prints per environment compares only the objects of the
 * manifest files whose bytes changed (a file with the same bytes holds the same objects). That
 * shortcut must never change the line: over any edit of a rendered environment (objects changed,
 * added, removed, moved between files, keys duplicated across files), the line equals the one
 * made by comparing every object.
 */
import fc from 'fast-check';
import { toYaml } from '../../constructs/lib/yaml';
import type { K8sObject } from '../../src/analysis/objects';
import { diffManifests } from '../../src/analysis/diff';
import { EnvironmentRender, summary, summaryLine } from '../../src/cli/watch';

/** A file layout: file name -> objects (ConfigMaps named by `name`, one data value each). */
type Layout = Array<{ file: string; objects: Array<{ name: string; value: string }> }>;

const configMap = (name: string, value: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'dockercoins' }, data: { value } }) as K8sObject;

function renderOf(layout: Layout): EnvironmentRender {
  const chartFiles = layout.map(({ file, objects }) => ({ name: file, objects: objects.map(o => configMap(o.name, o.value)) }));
  return { files: chartFiles.map(c => ({ name: c.name, content: toYaml(...c.objects) })), objects: chartFiles.flatMap(c => c.objects), chartFiles };
}


const FILES = ['10-a.k8s.yaml', '20-b.k8s.yaml', '30-c.k8s.yaml'];
const layout: fc.Arbitrary<Layout> = fc.tuple(...FILES.map(file => fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), value: fc.constantFrom('1', '2', 'x') }), { maxLength: 4 }).map(objects => ({ file, objects }))));

/** An edit of a layout: a value changed, an object removed, added or moved to another file. */
const edit = (base: Layout) => fc.array(fc.tuple(fc.nat(2), fc.nat(5), fc.constantFrom('change', 'remove', 'add', 'move'), fc.nat(2)), { maxLength: 3 }).map(steps => {
  const next: Layout = base.map(f => ({ file: f.file, objects: f.objects.map(o => ({ ...o })) }));
  for (const [fileIndex, objectIndex, kind, target] of steps) {
    const objects = next[fileIndex].objects;
    const i = objects.length > 0 ? objectIndex % objects.length : -1;
    if (kind === 'add') objects.push({ name: 'new', value: String(objectIndex) });
    else if (i < 0) continue;
    else if (kind === 'change') objects[i].value = `${objects[i].value}!`;
    else if (kind === 'remove') objects.splice(i, 1);
    else next[target].objects.push(...objects.splice(i, 1));
  }
  return next;
});

describe('synth --watch summary: comparing only changed files gives the line of comparing every object', () => {
  test('property: any layout, any edit (duplicate keys across files included)', () => {
    fc.assert(fc.property(layout.chain(base => fc.tuple(fc.constant(base), edit(base))), ([base, edited]) => {
      const before = renderOf(base);
      const after = renderOf(edited);
      // The reference: `npm run diff`'s comparison of every object, nothing skipped.
      expect(summary('dev', before, after)).toBe(summaryLine('dev', diffManifests(before.objects, after.objects)));
    }), { numRuns: 300 });
  });

  test('an object changed in one file of several: the line names it, and only it', () => {
    const base: Layout = [{ file: FILES[0], objects: [{ name: 'a', value: '1' }] }, { file: FILES[1], objects: [{ name: 'b', value: '1' }] }];
    const edited: Layout = [base[0], { file: FILES[1], objects: [{ name: 'b', value: '2' }] }];
    expect(summary('dev', renderOf(base), renderOf(edited))).toBe('dev: 0 added, 0 removed, 1 changed (ConfigMap dockercoins/b)');
  });
});
