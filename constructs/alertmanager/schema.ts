import { strictlyContains } from '../lib/cidr';
import { cidr, cidrs, duration, image, int, port, quantity, resources, z } from '../lib/schema';
import { emptyDirFits } from '../monitoring/schema';
import { VERSIONS } from '../versions';

const RECEIVER_NAME = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Alertmanager's matcher syntax (config.Matchers): `label="value"`, `!=`, `=~`, `!~`. */
const MATCHER = /^[a-zA-Z_][a-zA-Z0-9_]*(=|!=|=~|!~)"(?:[^"\\]|\\.)*"$/;

const receiverName = () => z.string().superRefine((v, ctx) => {
  if (!RECEIVER_NAME.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not a receiver name (lower-case letters, digits and '-', at most 32 characters): it also names the receiver's Secret keys` });
});
const labelName = () => z.string().superRefine((v, ctx) => {
  if (!LABEL_NAME.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not a Prometheus label name` });
});
const matchers = () => z.array(z.string().superRefine((v, ctx) => {
  if (!MATCHER.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not an Alertmanager matcher (label="value", label!="value", label=~"regex" or label!~"regex")` });
})).min(1, { error: 'must list at least one matcher' });

/**
 * Where notifications go. The URL of a webhook or Slack receiver carries its
 * credential (a token in the path), so it is never in the config: each is
 * read from a key of the Secret `alertmanager-receivers` (Alertmanager's
 * `url_file` / `api_url_file`), created by Pulumi from secret stack config
 * or by an operator (docs/runbooks.md). A receiver with neither is a null
 * receiver: alerts show in the Alertmanager UI only.
 */
export const receiverSchema = z.strictObject({
  name: receiverName(),
  /** Generic webhook (webhook_configs). */
  webhook: z.strictObject({
    /** Also notify when the alert resolves. @default true */
    sendResolved: z.boolean().prefault(true),
    /** Alerts per message, 0 for all. @default 0 */
    maxAlerts: int(0).prefault(0),
  }).optional(),
  /** Slack incoming webhook (slack_configs). */
  slack: z.strictObject({
    /** Channel, e.g. `#alerts`. */
    channel: z.string().regex(/^#[a-z0-9_-]{1,80}$/, { error: 'must be a Slack channel such as #alerts' }),
    /** @default true */
    sendResolved: z.boolean().prefault(true),
  }).optional(),
});
export type ReceiverConfig = z.infer<typeof receiverSchema>;

/** Alertmanager (`alerting`): receives Prometheus' alerts, groups, deduplicates, inhibits and routes them. Needs `edge.monitoring`. */
export const alertmanagerSchema = z.strictObject({
  image: image().prefault(VERSIONS.alertmanager),
  /** Replicas. More than one form a gossip cluster (--cluster.peer) that shares silences and deduplicates notifications; one runs without clustering. */
  replicas: int(1, 5),
  /** Hostname anti-affinity of the replicas: `required` so that a node loss costs one replica at most. @default preferred */
  antiAffinity: z.enum(['preferred', 'required']).prefault('preferred'),
  resources: resources('Burstable'),
  /** Size of the emptyDir holding silences and the notification log (peers re-share them after a restart); within the ephemeral-storage limit. @default 128Mi */
  storageSize: quantity('storage', { positive: true }).prefault('128Mi'),
  /** `--data.retention` of silences and the notification log. @default 120h */
  retention: duration().prefault('120h'),
  receivers: z.array(receiverSchema).min(1, { error: 'must list at least one receiver' }),
  /** The routing tree (route in alertmanager.yml). */
  route: z.strictObject({
    /** Receiver of what no child route takes. */
    receiver: receiverName(),
    /** @default [alertname, namespace] */
    groupBy: z.array(labelName()).prefault(['alertname', 'namespace']),
    /** @default 30s */
    groupWait: duration().prefault('30s'),
    /** @default 5m */
    groupInterval: duration().prefault('5m'),
    /** @default 4h */
    repeatInterval: duration().prefault('4h'),
    /** Child routes, first match wins unless `continue`. @default [] */
    routes: z.array(z.strictObject({ receiver: receiverName(), matchers: matchers(), continue: z.boolean().prefault(false) })).prefault([]),
  }),
  /**
   * Inhibition: while a source alert fires, target alerts with the same
   * `equal` labels are muted. @default a critical alert mutes the warnings of
   * the same alert name and namespace
   */
  inhibitRules: z.array(z.strictObject({ sourceMatchers: matchers(), targetMatchers: matchers(), equal: z.array(labelName()).min(1) }))
    .prefault([{ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }]),
  /**
   * Where webhook and Slack receivers may connect. @default public addresses
   * on 443 (0.0.0.0/0 except the private ranges pods and nodes live in)
   */
  receiverEgress: z.strictObject({ cidrs: cidrs(), except: z.array(cidr()).prefault([]), ports: z.array(port()).min(1) })
    .prefault({ cidrs: ['0.0.0.0/0'], except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], ports: [443] }),
}).superRefine((a, ctx) => {
  // Each exception lands in the ipBlock of a cidr holding it, as a strict subset (the API server
  // refuses an except equal to its cidr); one no cidr holds would be dropped without a word.
  a.receiverEgress.except.forEach((e, i) => {
    if (a.receiverEgress.cidrs.some(c => strictlyContains(c, e))) return;
    const same = a.receiverEgress.cidrs.indexOf(e);
    ctx.addIssue({
      code: 'custom', path: ['receiverEgress', 'except', i],
      message: same >= 0
        ? `"${e}" is cidrs[${same}] itself: an exception is a smaller block inside a cidr (to allow nothing there, remove the cidr)`
        : `"${e}" lies in none of the cidrs (${a.receiverEgress.cidrs.join(', ')}): an exception is a smaller block inside one of them`,
    });
  });
  const fits = emptyDirFits({ type: 'emptyDir', size: a.storageSize }, a.resources.limits.ephemeralStorage);
  if (fits) ctx.addIssue({ code: 'custom', path: ['resources', 'limits', 'ephemeralStorage'], message: fits });
  const names = new Map<string, number>();
  a.receivers.forEach((r, i) => {
    if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `"${r.name}" is already used by receivers[${names.get(r.name)}]; receiver names must be unique` });
    else names.set(r.name, i);
  });
  const known = [...names.keys()].join(', ');
  if (!names.has(a.route.receiver)) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: `"${a.route.receiver}" is not a receiver (receivers: ${known})` });
  a.route.routes.forEach((r, i) => {
    if (!names.has(r.receiver)) ctx.addIssue({ code: 'custom', path: ['route', 'routes', i, 'receiver'], message: `"${r.receiver}" is not a receiver (receivers: ${known})` });
  });
});
export type AlertmanagerConfig = z.infer<typeof alertmanagerSchema>;
