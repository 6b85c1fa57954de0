import { Chart } from 'cdk8s';
import { defineComponent, PLATFORM_VERSION } from '../lib/component';
import { recommendedLabels } from '../lib/labels';
import { PriorityClasses } from '.';
import { priorityClassesSchema } from './schema';

/**
 * The platform tiers' PriorityClasses: wave 0, before the first pod names one
 * (a pod naming a missing class is refused at admission). Every hardened pod
 * names its tier's class (constructs/lib/workload.ts), so this component is
 * always deployed; its section only tunes the values.
 */
export const priorityClassesComponent = defineComponent({
  id: 'priority-classes',
  configPath: ['priorityClasses'],
  schema: priorityClassesSchema,
  required: true,
  offers: () => ({}),
  build(ctx) {
    const chart = new Chart(ctx.app, 'priority-classes', { disableResourceNameHashes: true });
    const labels = recommendedLabels(chart, { name: 'priority-classes', instance: 'priority-classes', component: 'scheduling', partOf: 'platform', version: PLATFORM_VERSION });
    new PriorityClasses(chart, 'PriorityClasses', { classes: ctx.config, labels });
    return [{ id: 'priority-classes', wave: 0, chart }];
  },
});
