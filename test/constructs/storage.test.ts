import { Testing } from 'cdk8s';
import { DEFAULT_CLASS_ANNOTATION, StorageClass } from '../../constructs/storage';

function render(props: Partial<ConstructorParameters<typeof StorageClass>[2]> = {}): any {
  const chart = Testing.chart();
  new StorageClass(chart, 'Class', { name: 'replicated', provisioner: 'driver.longhorn.io', labels: { 'app.kubernetes.io/name': 'replicated' }, ...props });
  return Testing.synth(chart)[0];
}

describe('StorageClass', () => {
  test('data-safe defaults: Retain, WaitForFirstConsumer, expandable, not default', () => {
    const sc = render();
    expect(sc).toMatchObject({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', provisioner: 'driver.longhorn.io', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true });
    expect(sc.metadata.namespace).toBeUndefined();
    expect(sc.metadata.annotations).toBeUndefined();
  });

  test('explicit values and sorted string parameters', () => {
    const sc = render({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: false, isDefault: true, parameters: { repl: '2', fsType: 'ext4' } });
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: false });
    expect(Object.entries(sc.parameters)).toEqual([['fsType', 'ext4'], ['repl', '2']]);
    expect(sc.metadata.annotations).toEqual({ [DEFAULT_CLASS_ANNOTATION]: 'true' });
  });
});
