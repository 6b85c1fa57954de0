/**
 * kubectl delivery (engine kubectl): `kubectl apply -k dist/<env>/ --prune
 * --applyset=...` prunes exactly the objects of earlier applies that the
 * model dropped. The set spans namespaces, so its parent is a cluster-scoped
 * custom object (constructs/lib/applyset.ts explains why from kubectl's
 * source); the model renders its CRD and the parent with the id label and the
 * annotations kubectl requires, into dist/<env>/applyset/ (applied first,
 * never part of the set). Members get `applyset.kubernetes.io/part-of` from
 * kubectl at apply time.
 */
import {
  APPLYSET_GROUP_KINDS_ANNOTATION, APPLYSET_ID_LABEL, APPLYSET_MIN_KUBECTL, APPLYSET_NAMESPACES_ANNOTATION, APPLYSET_PARENT,
  APPLYSET_PARENT_API_VERSION, APPLYSET_PARENT_TYPE_LABEL, APPLYSET_TOOLING_ANNOTATION, applySetId, goSortStrings, groupKindString,
} from '../../constructs/lib/applyset';
import type { K8sObject } from '../analysis/objects';
import type { DeliveryConfig } from '../config/delivery';
import { DeliveryChart, deliveryLabels } from './model';

export const APPLYSET_DIR = 'applyset';
export const APPLYSET_CRD_FILE = `${APPLYSET_DIR}/crd.k8s.yaml`;
export const APPLYSET_PARENT_FILE = `${APPLYSET_DIR}/parent.k8s.yaml`;
export const APPLYSET_CRD_NAME = `${APPLYSET_PARENT.plural}.${APPLYSET_PARENT.group}`;

type KubectlDelivery = Extract<DeliveryConfig, { engine: 'kubectl' }>;

export interface ApplySetObjects {
  readonly crd: K8sObject;
  readonly parent: K8sObject;
  /** The `--applyset` argument naming the parent. */
  readonly flag: string;
  /** The id: the parent's label, and the part-of label kubectl puts on every member. */
  readonly id: string;
}

export function applySetObjects(env: string, delivery: KubectlDelivery, charts: readonly DeliveryChart[]): ApplySetObjects {
  const name = delivery.kubectl.applySetName ?? `dockercoins-${env}`;
  const id = applySetId({ name, kind: APPLYSET_PARENT.kind, group: APPLYSET_PARENT.group });
  const members = charts.flatMap(c => c.objects);
  const crd: K8sObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: APPLYSET_CRD_NAME, labels: { ...deliveryLabels(env, 'delivery'), [APPLYSET_PARENT_TYPE_LABEL]: 'true' } },
    spec: {
      group: APPLYSET_PARENT.group,
      names: { kind: APPLYSET_PARENT.kind, listKind: `${APPLYSET_PARENT.kind}List`, plural: APPLYSET_PARENT.plural, singular: APPLYSET_PARENT.kind.toLowerCase() },
      scope: 'Cluster',
      versions: [{
        name: APPLYSET_PARENT.version,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'Parent of a kubectl ApplySet that spans namespaces: its labels and annotations list what the set holds (KEP-3659).',
            properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } },
          },
        },
      }],
    },
  };
  const parent: K8sObject = {
    apiVersion: APPLYSET_PARENT_API_VERSION,
    kind: APPLYSET_PARENT.kind,
    metadata: {
      name,
      labels: { ...deliveryLabels(env, 'delivery'), [APPLYSET_ID_LABEL]: id },
      annotations: {
        // kubectl rewrites it with its own version at each apply; only the tool name is checked.
        [APPLYSET_TOOLING_ANNOTATION]: `kubectl/${APPLYSET_MIN_KUBECTL}`,
        [APPLYSET_GROUP_KINDS_ANNOTATION]: goSortStrings(new Set(members.map(o => groupKindString(o.apiVersion, o.kind)))).join(','),
        [APPLYSET_NAMESPACES_ANNOTATION]: goSortStrings(new Set(members.flatMap(o => (o.metadata.namespace ? [o.metadata.namespace] : [])))).join(','),
      },
    },
  };
  return { crd, parent, flag: `${APPLYSET_PARENT.plural}.${APPLYSET_PARENT.group}/${name}`, id };
}
