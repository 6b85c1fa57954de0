import { Construct } from 'constructs';
import { DOCKERCOINS_REDIS_KEYS, DOCKERCOINS_REDIS_PORT } from '../dockercoins';
import { ComponentIdentity } from '../lib/labels';
import { PeerSpec } from '../lib/network';
import { MetricsExporter } from '../lib/exporter';
import { ContainerResources, ImageRef } from '../lib/types';

/** The exporter's port (its Dockerfile EXPOSE and the default `--web.listen-address`). */
export const REDIS_EXPORTER_PORT = 9121;
/** `app.kubernetes.io/name` of the exporter pods. */
export const REDIS_EXPORTER_NAME = 'redis-exporter';
/** The image's `USER 59000:59000` (scratch: no passwd entry, so the numeric id is the one). */
const EXPORTER_USER = { user: 59000, group: 59000 };

/**
 * The exporter's single-key checks (`--check-single-keys`, `db<n>=<key>`):
 * for each key it exports `redis_key_size{db,key}` (STRLEN of a string, HLEN
 * of a hash) and, for a string holding a number, `redis_key_value{db,key}`
 * (exporter/keys.go). So `redis_key_value{key="hashes"}` is the worker's hash
 * counter and `redis_key_size{key="wallet"}` the number of coins.
 */
export function checkSingleKeys(): string {
  const { db, hashes, wallet } = DOCKERCOINS_REDIS_KEYS;
  return [hashes, wallet].map(key => `db${db}=${key}`).join(',');
}

export interface RedisExporterProps {
  /** The DockerCoins instance it reads (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** The instance's namespace: the exporter runs beside Redis. */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** The Redis pods (policy egress) and the Service host the exporter connects to. */
  readonly redis: { readonly pods: Readonly<Record<string, string>>; readonly host: string };
  /** Who may scrape the metrics port. */
  readonly scrapers: readonly PeerSpec[];
}

/**
 * oliver006/redis_exporter for one DockerCoins instance: Redis health
 * (`redis_up`, memory, clients) and the DockerCoins business signal, the
 * `hashes` counter and the `wallet` size. Its pods are a Redis client the
 * DockerCoins Redis policy admits because the component offers them
 * (`clients`), and its own policy opens egress to Redis only.
 */
export class RedisExporter extends Construct {
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    super(scope, id);
    const identity: ComponentIdentity = { name: REDIS_EXPORTER_NAME, instance: props.instance, component: 'exporter', partOf: 'monitoring', version: props.image.tag };
    const check = { http: { path: '/health', port: 'metrics' } };
    const exporter = new MetricsExporter(this, 'Exporter', {
      identity,
      namespace: props.namespace,
      runAs: EXPORTER_USER,
      port: REDIS_EXPORTER_PORT,
      scrapers: props.scrapers,
      egress: [{ peers: [{ pods: props.redis.pods }], ports: [{ port: DOCKERCOINS_REDIS_PORT }] }],
      // No --redis.password-file: redis_exporter could read one (its README, REDIS_PASSWORD_FILE),
      // but the DockerCoins Redis has no password to give it (REDIS_AUTHENTICATION).
      container: {
        image: props.image,
        // Flags and their environment variables: main.go of redis_exporter.
        args: [
          `--redis.addr=redis://${props.redis.host}:${DOCKERCOINS_REDIS_PORT}`,
          `--web.listen-address=:${REDIS_EXPORTER_PORT}`,
          `--check-single-keys=${checkSingleKeys()}`,
        ],
        resources: props.resources,
        probes: {
          // /health answers "ok" while the process serves; /metrics reports redis_up itself.
          readiness: { check, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          // Liveness: the port accepts connections; readiness asks the HTTP server itself.
          liveness: { check: { tcp: { port: 'metrics' } }, timings: { initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 } },
        },
      },
    });
    this.selector = exporter.selector;
  }
}
