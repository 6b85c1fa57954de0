import { int, z } from '../lib/schema';
import { PRIORITY_TIERS } from '../lib/priority';

/**
 * One tier's PriorityClass. `value`: higher is scheduled first and evicted
 * last (user classes may go up to 1000000000; the system classes are above).
 */
const tier = (value: number, preemption: 'PreemptLowerPriority' | 'Never') => z.strictObject({
  value: int(0, 1_000_000_000),
  /** `Never`: waits for room instead of evicting lower tiers. */
  preemption: z.enum(['PreemptLowerPriority', 'Never']).prefault(preemption),
}).prefault({ value, preemption });

/**
 * The platform tiers' PriorityClasses (constructs/lib/priority.ts), in tier
 * order, values strictly decreasing. Defaults: node agents 1000000 (a node
 * without them is invisible), ingress 900000, data 800000, monitoring 700000,
 * apps 100000; the apps never preempt. None is the cluster's global default.
 */
export const priorityClassesSchema = z.strictObject({
  'node-agent': tier(1_000_000, 'PreemptLowerPriority'),
  ingress: tier(900_000, 'PreemptLowerPriority'),
  data: tier(800_000, 'PreemptLowerPriority'),
  monitoring: tier(700_000, 'PreemptLowerPriority'),
  app: tier(100_000, 'Never'),
}).superRefine((classes, ctx) => {
  PRIORITY_TIERS.slice(1).forEach((t, i) => {
    const above = PRIORITY_TIERS[i];
    if (classes[t].value >= classes[above].value) {
      ctx.addIssue({ code: 'custom', path: [t, 'value'], message: `${classes[t].value} is not below ${above}'s ${classes[above].value}: tiers go ${PRIORITY_TIERS.join(' > ')}` });
    }
  });
});
