/**
 * Every image the model runs, pinned in one place. Component schemas use
 * these as defaults; an environment overrides registry or tag only where it
 * differs (e.g. a local registry in dev). `latest` is refused by validation.
 * docs/images.md records what each image's own docs say about its user,
 * ports and writable paths.
 */
import type { ImageRef } from './lib/types';

const hub = (repository: string, tag: string): ImageRef => ({ registry: '', repository, tag });

/** Released DockerCoins images (Docker Hub). */
export const DOCKERCOINS_TAG = 'v0.1';

/** Elastic Stack release used by Elasticsearch AND Kibana (they must match). */
export const ELASTIC_VERSION = '8.15.3';
export const ELASTIC_REGISTRY = 'docker.elastic.co';

export const VERSIONS = {
  rng: hub('dockercoins/rng', DOCKERCOINS_TAG),
  hasher: hub('dockercoins/hasher', DOCKERCOINS_TAG),
  worker: hub('dockercoins/worker', DOCKERCOINS_TAG),
  webui: hub('dockercoins/webui', DOCKERCOINS_TAG),
  /** Official Redis alpine image (redis user uid 999, gid 1000). */
  redis: hub('redis', '7.4.2-alpine'),
  /** Traefik v3 (the chart refuses `latest`). */
  traefik: hub('traefik', 'v3.3.4'),
  prometheus: { registry: 'quay.io', repository: 'prometheus/prometheus', tag: 'v3.2.1' },
  nodeExporter: { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: 'v1.8.2' },
  kubeStateMetrics: { registry: 'registry.k8s.io', repository: 'kube-state-metrics/kube-state-metrics', tag: 'v2.13.0' },
  metricsServer: { registry: 'registry.k8s.io', repository: 'metrics-server/metrics-server', tag: 'v0.7.2' },
  /** The Docker Distribution registry (the course's `registry:2`). */
  registry: hub('registry', '2.8.3'),
  fluentBit: { registry: 'cr.fluentbit.io', repository: 'fluent/fluent-bit', tag: '3.1.9' },
  /** Consul server (alpine based; the consul user is uid 100, gid 1000). */
  consul: hub('hashicorp/consul', '1.19.2'),
  /** Official Postgres alpine image (postgres user uid/gid 70). */
  postgres: hub('postgres', '16.4-alpine'),
  /** prometheus-community/postgres_exporter (busybox base, USER nobody, port 9187; its Dockerfile). */
  postgresExporter: { registry: 'quay.io', repository: 'prometheuscommunity/postgres-exporter', tag: 'v0.17.1' },
  /** Alertmanager (busybox base, USER nobody = uid 65534, EXPOSE 9093, cluster gossip on 9094; its Dockerfile). */
  alertmanager: { registry: 'quay.io', repository: 'prometheus/alertmanager', tag: 'v0.28.1' },
  /** oliver006/redis_exporter (scratch image: USER 59000:59000, EXPOSE 9121, no shell; its Dockerfile). */
  redisExporter: hub('oliver006/redis_exporter', 'v1.69.0'),
  /** Grafana OSS (alpine base, USER 472 with group 0, EXPOSE 3000; its Dockerfile). */
  grafana: hub('grafana/grafana', '12.0.0'),
  /** prometheus-community/elasticsearch_exporter (busybox base, USER nobody, listens on :9114 by default; its Dockerfile and main.go). */
  elasticsearchExporter: { registry: 'quay.io', repository: 'prometheuscommunity/elasticsearch-exporter', tag: 'v1.9.0' },
  /** The AWS CLI v2 (amazonlinux base, entrypoint `aws`, runs as root unless told): S3 uploads and downloads of backups. */
  awsCli: hub('amazon/aws-cli', '2.17.0'),
} as const satisfies Record<string, ImageRef>;

/**
 * cert-manager, a cluster prerequisite (not an image the model runs) where an
 * environment's `certificates.source` is `cert-manager`: the release whose
 * cert-manager.io/v1 CRDs the schema check encodes (src/analysis/schema-cert-manager.ts,
 * from cert-manager/cert-manager deploy/crds/ at tag v1.21.1, commit 24e33194fb39).
 * Install it first: docs/security-tls.md.
 */
export const CERT_MANAGER_VERSION = 'v1.21.1';

/** A DockerCoins image from another registry or tag (e.g. images built and pushed to the dev registry). */
export function dockercoinsImage(service: 'rng' | 'hasher' | 'worker' | 'webui', tag = DOCKERCOINS_TAG, registry = ''): ImageRef {
  return { registry, repository: `dockercoins/${service}`, tag };
}
