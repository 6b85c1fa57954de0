import { Chart } from 'cdk8s';
import { ProductionNamespace, ProductionNamespaceProps } from '../../constructs/namespace';
import { NODE_AGENTS_NAMESPACE } from '../config/sections/edge';
import { PLATFORM_VERSION } from '../stack';

/** A namespace of the platform, in the `namespaces` chart (wave 0). */
export interface PlatformNamespaceProps extends Omit<ProductionNamespaceProps, 'identity'> {
  /** `app.kubernetes.io/part-of` of the namespace, e.g. `monitoring`. */
  readonly partOf: string;
  /** `app.kubernetes.io/instance`. @default - the namespace name */
  readonly instance?: string;
}

/**
 * Creates (or returns, when another component already did) a namespace with
 * its guardrails. The one way stacks declare namespaces, so every namespace
 * gets the same identity labels.
 */
export function platformNamespace(namespaces: Chart, props: PlatformNamespaceProps): ProductionNamespace {
  const { partOf, instance, ...rest } = props;
  return ProductionNamespace.ensure(namespaces, {
    ...rest,
    identity: { name: props.name, instance: instance ?? props.name, component: 'namespace', partOf, version: PLATFORM_VERSION },
  });
}

/**
 * Why `node-agents` is privileged. One text for every node agent
 * (node-exporter, Fluent Bit), whichever component declares the namespace first.
 */
export const NODE_AGENTS_POD_SECURITY_REASON =
  'Node agents (metrics exporters, log shippers) read the node itself: host network and PID namespaces and hostPath mounts, '
  + 'all forbidden by Pod Security baseline. Each agent mounts only what it reads, read-only where it can, runs without '
  + 'privilege escalation and with all capabilities dropped, and states its own reason in a pod annotation. Nothing else runs here.';

/** The namespace shared by node agents: the only place below `restricted` besides Traefik's hostPort mode. */
export function nodeAgentsNamespace(namespaces: Chart): ProductionNamespace {
  return platformNamespace(namespaces, {
    name: NODE_AGENTS_NAMESPACE,
    partOf: 'platform',
    podSecurity: 'privileged',
    podSecurityReason: NODE_AGENTS_POD_SECURITY_REASON,
  });
}
