/**
 * The environment config schema: the platform facts plus one section per
 * component, each section the schema its component folder defines. The
 * TypeScript types are inferred from here (EnvironmentConfig is the parsed
 * output, EnvironmentOverlay what an environment file writes before defaults).
 * test/config/schema.test.ts proves every registry entry's configPath is a
 * section here.
 */
import { consulSchema } from '../../constructs/consul/schema';
import { dataNamespaceSchema } from '../../constructs/data/schema';
import { dockercoinsSchema } from '../../constructs/dockercoins/schema';
import { certificatesSchema } from '../../constructs/lib/certificates';
import { cidrs, dnsLabel, dnsSubdomain, int, port, spreadPolicy, z } from '../../constructs/lib/schema';
import { loggingSchema } from '../../constructs/logging/schema';
import { metricsServerSchema, monitoringSchema } from '../../constructs/monitoring/schema';
import { postgresSchema } from '../../constructs/postgres/schema';
import { priorityClassesSchema } from '../../constructs/priority-classes/schema';
import { imageRegistrySchema } from '../../constructs/registry/schema';
import { storageClassesSchema } from '../../constructs/storage/schema';
import { traefikSchema } from '../../constructs/traefik/schema';
import type { Component } from '../../constructs/lib/component';
import { COMPONENTS } from '../components';
import { deliverySchema } from './delivery';

const coreSchema = z.strictObject({
  /** Environment name, a DNS label (`dev`, `staging`, `prod`); also the dist/ folder and the Pulumi stack. */
  name: dnsLabel(),
  /** Planning figure: nodes DaemonSets run on, used to check that quotas and anti-affinity fit. */
  nodes: int(1),
  /**
   * A production environment: data it loses is lost for real, so `validate`
   * refuses it when a data store (Postgres, Consul) has no scheduled backup
   * (the `backups` section). @default false
   */
  production: z.boolean().prefault(false),
  /** StorageClass of every claim that names none. @default - the cluster's default StorageClass */
  storageClass: dnsSubdomain().optional(),
  /**
   * StorageClasses the cluster already provides (not created by this model).
   * Every class a claim names must be either here or in `stateful.storageClasses`,
   * so a typo (`replicatd`) is refused instead of leaving claims Pending. @default []
   */
  clusterStorageClasses: z.array(dnsSubdomain()).prefault([]),
  /**
   * imagePullPolicy of every container. `Always` makes each start check the
   * registry, so a re-pushed tag or a revoked image cannot run from a node's
   * cache (kube-score's container-image-pull-policy); `IfNotPresent` suits
   * clusters that run locally loaded images (dev). @default IfNotPresent
   */
  imagePullPolicy: z.enum(['Always', 'IfNotPresent']).prefault('IfNotPresent'),
  /**
   * How every replicated workload (more than one replica, or an autoscaler
   * allowed more than one) spreads its pods over nodes, unless its component
   * says otherwise: a topology spread constraint on `kubernetes.io/hostname`,
   * `preferred` (ScheduleAnyway) or `required` (DoNotSchedule).
   * @default - `preferred` when `nodes` > 1, else `none`
   */
  spread: spreadPolicy().optional(),
  /** The platform tiers' PriorityClasses (constructs/priority-classes/schema.ts). @default - the tier defaults */
  priorityClasses: priorityClassesSchema.prefault({}),
  /** The ingress controller all Ingresses go through. */
  ingress: z.strictObject({
    /** IngressClass of every Ingress. @default traefik */
    className: dnsSubdomain().prefault('traefik'),
    /** Namespace of the controller pods (owned by the controller component). @default traefik */
    controllerNamespace: dnsLabel().prefault('traefik'),
    /** Pulumi waits for an Ingress address; false where the controller publishes none (hostPort mode). */
    awaitLoadBalancer: z.boolean(),
  }),
  /** Addresses outside the pod network that controllers and agents talk to (NetworkPolicies match them by CIDR). */
  cluster: z.strictObject({
    /** CIDRs of the API server endpoints (`kubectl get endpoints kubernetes`). */
    apiServerCidrs: cidrs(),
    /** Port of the API server endpoints (443 on some managed clusters). @default 6443 */
    apiServerPort: port().prefault(6443),
    /** CIDRs of the node addresses. */
    nodeCidrs: cidrs(),
  }),
  /**
   * Where TLS certificates come from: `none` (plain HTTP, dev), `cert-manager`
   * (the model emits Issuers and Certificates; cert-manager is a prerequisite)
   * or `external` (Secrets created outside the model, listed in SECRETS.md).
   * Any source but `none` turns on TLS for every Ingress host and every
   * internal endpoint (docs/security-tls.md). @default { source: 'none' }
   */
  certificates: certificatesSchema,
  /** DockerCoins instances, each in its own namespace. */
  dockercoins: dockercoinsSchema,
  /** Consul, Postgres and StorageClasses. @default - none */
  stateful: dataNamespaceSchema.extend({
    /** @default - none (the cluster provides `storageClass`) */
    storageClasses: storageClassesSchema.optional(),
    consul: consulSchema,
    postgres: postgresSchema,
  }).optional(),
  /** Traefik, Prometheus (with metrics-server) and the optional image registry. @default - none */
  edge: z.strictObject({
    traefik: traefikSchema,
    monitoring: monitoringSchema.extend({ metricsServer: metricsServerSchema }),
    /** @default - no self-hosted registry */
    imageRegistry: imageRegistrySchema.optional(),
  }).optional(),
  /** Centralized logging (Elasticsearch, Fluent Bit, Kibana). @default - none */
  logging: loggingSchema.optional(),
  /**
   * The one engine that delivers the environment to its cluster, and that
   * engine's settings (src/config/delivery.ts, docs/delivery.md).
   * @default { engine: pulumi }
   */
  delivery: deliverySchema,
});

/**
 * The core sections above, plus the section of every registered component
 * whose configPath is not one of them (optional: absent = not deployed). So
 * adding a component needs no line here: its folder and its registry line.
 */
export const environmentSchema: typeof coreSchema = withRegistrySections(coreSchema, COMPONENTS);

function withRegistrySections(schema: typeof coreSchema, components: readonly Component<unknown>[]): typeof coreSchema {
  let result: z.ZodObject = schema;
  for (const c of components) {
    if (schemaAt(result, c.configPath)) continue;
    result = withSection(result, c.configPath, c.schema.optional());
  }
  return result as unknown as typeof coreSchema;
}

/** The schema at a config path, through optional/default wrappers; undefined when absent. */
export function schemaAt(schema: z.ZodType, path: readonly string[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    const object = unwrapObject(current);
    current = object?.shape[key] as z.ZodType | undefined;
    if (!current) return undefined;
  }
  return current;
}

function unwrapObject(schema: z.ZodType | undefined): z.ZodObject | undefined {
  let current: any = schema;
  while (current?._zod?.def && ['optional', 'default', 'prefault'].includes(current._zod.def.type)) current = current._zod.def.innerType;
  return current?._zod?.def?.type === 'object' ? current as z.ZodObject : undefined;
}

function withSection(object: z.ZodObject, path: readonly string[], leaf: z.ZodType): z.ZodObject {
  const [key, ...rest] = path;
  if (rest.length === 0) return object.safeExtend({ [key]: leaf });
  const child = object.shape[key] as z.ZodType | undefined;
  const inner = unwrapObject(child) ?? z.strictObject({});
  const rebuilt = withSection(inner, rest, leaf);
  const optional = !child || child instanceof z.ZodOptional;
  return object.safeExtend({ [key]: optional ? rebuilt.optional() : rebuilt });
}

/** A validated environment, defaults filled in (sections of later components are typed by their own schema). */
export type EnvironmentConfig = z.output<typeof coreSchema>;
/** What an environment file writes: the overlay on the component defaults. */
export type EnvironmentOverlay = z.input<typeof coreSchema> & Record<string, unknown>;
export type DockerCoinsInstanceConfig = EnvironmentConfig['dockercoins'][number];
