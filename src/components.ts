/**
 * The registry: every component of the platform, in build order. Adding a
 * component is its folder under constructs/ plus one line here (and its image
 * pin in constructs/versions.ts, its values in the environment overlays).
 * The stack builder (src/stack.ts) and the config loader (src/config) read
 * nothing else.
 */
import type { Component } from '../constructs/lib/component';
import { certificatesComponent } from '../constructs/certificates/component';
import { dockercoinsComponent } from '../constructs/dockercoins/component';
import { dataNamespaceComponent } from '../constructs/data/component';
import { storageComponent } from '../constructs/storage/component';
import { consulComponent } from '../constructs/consul/component';
import { postgresComponent } from '../constructs/postgres/component';
import { traefikComponent } from '../constructs/traefik/component';
import { imageRegistryComponent } from '../constructs/registry/component';
import { metricsServerComponent, monitoringComponent } from '../constructs/monitoring/component';
import { loggingComponent } from '../constructs/logging/component';
import { postgresExporterComponent } from '../constructs/postgres-exporter/component';
import { backupsComponent } from '../constructs/backups/component';
import { redisExporterComponent } from '../constructs/redis-exporter/component';
import { alertmanagerComponent } from '../constructs/alertmanager/component';
import { priorityClassesComponent } from '../constructs/priority-classes/component';
import { elasticsearchExporterComponent } from '../constructs/elasticsearch-exporter/component';
import { grafanaComponent } from '../constructs/grafana/component';
import { admissionComponent } from '../constructs/admission/component';

// The order is the order namespaces are declared in the namespaces chart.
export const COMPONENTS: readonly Component<any>[] = [
  priorityClassesComponent,
  certificatesComponent,
  dockercoinsComponent,
  dataNamespaceComponent,
  storageComponent,
  consulComponent,
  postgresComponent,
  traefikComponent,
  imageRegistryComponent,
  metricsServerComponent,
  monitoringComponent,
  loggingComponent,
  postgresExporterComponent,
  backupsComponent,
  redisExporterComponent,
  alertmanagerComponent,
  elasticsearchExporterComponent,
  grafanaComponent,
  admissionComponent,
];
