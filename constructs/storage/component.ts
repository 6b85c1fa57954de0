import { Chart } from 'cdk8s';
import { defineComponent, PLATFORM_VERSION } from '../lib/component';
import { recommendedLabels } from '../lib/labels';
import { StorageClass } from '.';
import { storageClassesSchema } from './schema';

/** The StorageClasses an environment creates: wave 0, before the first claim asks for them. */
export const storageComponent = defineComponent({
  id: 'storage',
  configPath: ['stateful', 'storageClasses'],
  schema: storageClassesSchema,
  enabled: classes => classes.length > 0,
  offers: () => ({}),
  build(ctx) {
    const instance = (ctx.environment as { stateful?: { instance?: string } }).stateful?.instance ?? 'storage';
    const chart = new Chart(ctx.app, 'storage', { disableResourceNameHashes: true });
    for (const sc of ctx.config) {
      const labels = recommendedLabels(chart, { name: sc.name, instance, component: 'storage', partOf: 'dockercoins', version: PLATFORM_VERSION });
      new StorageClass(chart, `StorageClass-${sc.name}`, { ...sc, labels });
    }
    return [{ id: 'storage', wave: 0, chart }];
  },
});
