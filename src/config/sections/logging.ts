import { parseQuantity } from '../../../constructs/lib/quantity';
import { ContainerResources, ImageRef, StorageRequest, TolerationSpec } from '../../../constructs/lib/types';
import type { EnvironmentConfig } from '../types';
import type { Checker } from '../validate';

/**
 * Centralized logging (EFK): Elasticsearch stores and indexes, Fluent Bit on
 * every node ships container logs, Kibana shows them.
 */
export interface LoggingConfig {
  /**
   * Version of BOTH Elasticsearch and Kibana. One setting, because Kibana
   * refuses to talk to an Elasticsearch of another version. Only 8.x: the
   * constructs rely on 8.x security defaults and settings.
   */
  readonly elasticVersion: string;
  /** Registry of the Elastic images (`<registry>/elasticsearch/elasticsearch`, `<registry>/kibana/kibana`). */
  readonly elasticRegistry: string;
  readonly elasticsearch: ElasticsearchConfig;
  readonly fluentBit: FluentBitConfig;
  readonly kibana: KibanaConfig;
}

export interface ElasticsearchConfig {
  /**
   * Number of Elasticsearch nodes (all master-eligible data nodes): 1 (single
   * node, `discovery.type=single-node`) or an odd number >= 3. Two nodes cannot
   * keep a quorum when one fails, and an even count adds no failure tolerance
   * over the odd count below it. Each node needs its own Kubernetes node
   * (required anti-affinity), so it is also at most `nodes` of the environment.
   */
  readonly nodes: number;
  /** JVM heap (-Xms = -Xmx) as a quantity in whole MiB, e.g. `512Mi` or `2Gi`; at most 31Gi (compressed oops). */
  readonly heap: string;
  /** Requests and limits; `limits.memory` must be at least twice the heap (off-heap memory, page cache). */
  readonly resources: ContainerResources;
  /** Data volume of each node. */
  readonly storage: StorageRequest;
}

export interface FluentBitConfig {
  /** Fluent Bit image (cr.fluentbit.io/fluent/fluent-bit), pinned. */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Tolerations so that the agent runs on every node, including tainted ones. @default - none */
  readonly tolerations?: readonly TolerationSpec[];
  /**
   * Also mount /var/lib/docker/containers read-only: on nodes whose runtime is
   * Docker Engine, /var/log/containers links point there. @default false
   */
  readonly dockerRuntime?: boolean;
}

export interface KibanaConfig {
  readonly replicas: number;
  /** Host name of the Kibana Ingress. */
  readonly host: string;
  /** TLS Secret for `host`. @default - plain HTTP */
  readonly tlsSecretName?: string;
  readonly resources: ContainerResources;
}

/** Validates the `logging` section. */
export function checkLogging(c: Checker, path: string, value: unknown, env: EnvironmentConfig): void {
  if (!c.object(path, value)) return;
  const l = value as unknown as LoggingConfig;
  if (c.string(`${path}.elasticVersion`, l.elasticVersion) && !/^8\.\d+\.\d+$/.test(l.elasticVersion)) {
    c.add(`${path}.elasticVersion`, `"${l.elasticVersion}" is not supported: pin an exact Elastic Stack 8.x release such as 8.15.3 (used for both Elasticsearch and Kibana)`);
  }
  if (c.string(`${path}.elasticRegistry`, l.elasticRegistry) && !/^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/.test(l.elasticRegistry)) {
    c.add(`${path}.elasticRegistry`, `"${l.elasticRegistry}" is not a valid registry host (e.g. docker.elastic.co or registry.example.com:5000/elastic)`);
  }

  const es = l.elasticsearch;
  const e = `${path}.elasticsearch`;
  if (c.object(e, es)) {
    if (c.integer(`${e}.nodes`, es.nodes, 1, 15)) {
      if (es.nodes !== 1 && (es.nodes < 3 || es.nodes % 2 === 0)) {
        c.add(`${e}.nodes`, `must be 1 (single node) or an odd number of at least 3 (a quorum of master-eligible nodes that survives a failure), got ${es.nodes}`);
      } else if (typeof env.nodes === 'number' && es.nodes > env.nodes) {
        c.add(`${e}.nodes`, `${es.nodes} Elasticsearch nodes need as many Kubernetes nodes (required anti-affinity), but the environment plans ${env.nodes}`);
      }
    }
    const resourcesOk = c.resources(`${e}.resources`, es.resources, 'Burstable');
    if (c.quantity(`${e}.heap`, es.heap, { positive: true })) {
      const heap = parseQuantity(es.heap)!;
      if (heap % 2 ** 20 !== 0) c.add(`${e}.heap`, `"${es.heap}" must be a whole number of MiB (e.g. 512Mi, 2Gi): it becomes -Xms/-Xmx in megabytes`);
      else if (heap < 256 * 2 ** 20) c.add(`${e}.heap`, `"${es.heap}" is below the 256Mi Elasticsearch needs to start`);
      else if (heap > 31 * 2 ** 30) c.add(`${e}.heap`, `"${es.heap}" is above 31Gi: the JVM loses compressed object pointers`);
      else if (resourcesOk) {
        const limit = parseQuantity(es.resources.limits.memory)!;
        if (limit < 2 * heap) {
          c.add(`${e}.resources.limits.memory`, `${es.resources.limits.memory} must be at least twice the heap (${es.heap}): Elasticsearch needs as much memory again off-heap (direct buffers, Lucene page cache), else the container is OOM-killed`);
        }
      }
    }
    if (c.object(`${e}.storage`, es.storage)) {
      c.quantity(`${e}.storage.size`, es.storage.size, { positive: true });
      if (es.storage.storageClassName !== undefined) c.dnsSubdomain(`${e}.storage.storageClassName`, es.storage.storageClassName);
    }
  }

  const fb = l.fluentBit;
  const f = `${path}.fluentBit`;
  if (c.object(f, fb)) {
    c.image(`${f}.image`, fb.image);
    c.resources(`${f}.resources`, fb.resources, 'Burstable');
    c.tolerations(`${f}.tolerations`, fb.tolerations);
    if (fb.dockerRuntime !== undefined) c.boolean(`${f}.dockerRuntime`, fb.dockerRuntime);
  }

  const kb = l.kibana;
  const k = `${path}.kibana`;
  if (c.object(k, kb)) {
    c.integer(`${k}.replicas`, kb.replicas, 1, 10);
    c.host(`${k}.host`, kb.host);
    if (kb.tlsSecretName !== undefined) c.dnsSubdomain(`${k}.tlsSecretName`, kb.tlsSecretName);
    if (c.resources(`${k}.resources`, kb.resources, 'Burstable') && parseQuantity(kb.resources.limits.memory)! < 1 * 2 ** 30) {
      c.add(`${k}.resources.limits.memory`, `${kb.resources.limits.memory} is below the 1Gi Kibana 8 needs`);
    }
  }
}
