/**
 * The model modules of the kinds this stack renders, as static requires, so
 * that bin/bundle.js puts them into the one-file build of `validate` (compiled
 * with V8's code cache) instead of Node loading them at run time: about 360
 * files (validators, ajv and its formats) resolved, read and compiled one by
 * one took about 150 ms of `npm run validate` (docs/benchmarks.md).
 *
 * An entry is only a faster way to the module schema.ts's lookup finds on disk
 * for that kind (same package order: kubernetes-models first, then the CRD
 * packages), so results are the same with or without it; kinds without an
 * entry (hand-written manifests given to `validate`) are still looked up on
 * disk. test/analysis/schema-models.test.ts checks that every entry is the
 * module the lookup finds and that every kind in dist/ with a model has one.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** Loads the model module of `apiVersion kind` (its exports: the model class under `kind`). */
export type ModelModuleLoader = () => Record<string, unknown>;

/** By `apiVersion kind`: the loader of its model module. */
export const RENDERED_KIND_MODELS: Readonly<Record<string, ModelModuleLoader>> = {
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy': () => require('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy'),
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding': () => require('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding'),
  'apiextensions.k8s.io/v1 CustomResourceDefinition': () => require('kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'),
  'apiregistration.k8s.io/v1 APIService': () => require('kubernetes-models/apiregistration.k8s.io/v1/APIService'),
  'apps/v1 DaemonSet': () => require('kubernetes-models/apps/v1/DaemonSet'),
  'apps/v1 Deployment': () => require('kubernetes-models/apps/v1/Deployment'),
  'apps/v1 StatefulSet': () => require('kubernetes-models/apps/v1/StatefulSet'),
  'autoscaling/v2 HorizontalPodAutoscaler': () => require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
  'batch/v1 CronJob': () => require('kubernetes-models/batch/v1/CronJob'),
  'batch/v1 Job': () => require('kubernetes-models/batch/v1/Job'),
  'networking.k8s.io/v1 Ingress': () => require('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1 IngressClass': () => require('kubernetes-models/networking.k8s.io/v1/IngressClass'),
  'networking.k8s.io/v1 NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'policy/v1 PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'rbac.authorization.k8s.io/v1 ClusterRole': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
  'rbac.authorization.k8s.io/v1 Role': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'rbac.authorization.k8s.io/v1 RoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'scheduling.k8s.io/v1 PriorityClass': () => require('kubernetes-models/scheduling.k8s.io/v1/PriorityClass'),
  'storage.k8s.io/v1 StorageClass': () => require('kubernetes-models/storage.k8s.io/v1/StorageClass'),
  'v1 ConfigMap': () => require('kubernetes-models/v1/ConfigMap'),
  'v1 LimitRange': () => require('kubernetes-models/v1/LimitRange'),
  'v1 Namespace': () => require('kubernetes-models/v1/Namespace'),
  'v1 PersistentVolumeClaim': () => require('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1 ResourceQuota': () => require('kubernetes-models/v1/ResourceQuota'),
  'v1 Service': () => require('kubernetes-models/v1/Service'),
  'v1 ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount'),
  // Argo CD's and Flux's custom resources (src/delivery).
  'argoproj.io/v1alpha1 AppProject': () => require('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject'),
  'argoproj.io/v1alpha1 Application': () => require('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application'),
  'kustomize.toolkit.fluxcd.io/v1 Kustomization': () => require('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization'),
  'source.toolkit.fluxcd.io/v1 GitRepository': () => require('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository'),
};
