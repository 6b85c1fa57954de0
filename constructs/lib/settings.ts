import { sortedEntries } from './order';
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');

/** Pod-template annotation holding the checksum of the settings a pod consumes. */
export const SETTINGS_CHECKSUM_ANNOTATION = 'checksum/settings';

export interface SettingsConfigMapProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Annotations of the ConfigMap (e.g. the reason a setting is relaxed). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Non-secret settings, consumed as environment variables or mounted as files. */
  readonly data: Readonly<Record<string, string>>;
}

/**
 * A ConfigMap of non-secret settings. Its `checksum` goes on the pod templates
 * that consume it, so a settings change rolls those pods (environment variables
 * are only read at container start).
 */
export class SettingsConfigMap extends Construct {
  public readonly name: string;
  public readonly checksum: string;

  constructor(scope: Construct, id: string, props: SettingsConfigMapProps) {
    super(scope, id);
    this.name = props.name;
    const data = Object.fromEntries(sortedEntries(props.data));
    this.checksum = createHash('sha256').update(JSON.stringify(data)).digest('hex');
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations ? { ...props.annotations } : undefined },
      data,
    });
  }
}
