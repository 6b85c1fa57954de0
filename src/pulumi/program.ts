import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig, pulumiRefusal } from '../config';
import { dataObjects as dataObjectsOf, ManifestObject, manifestFileName, RenderedChart, renderCharts } from '../render';

/** `kind/namespace/name` (namespace empty for cluster-scoped objects), as src/delivery/model.ts writes it. */
type ObjectKey = string;
const objectKey = (kind: string, namespace: string | undefined, name: string): ObjectKey => `${kind}/${namespace ?? ''}/${name}`;

/** Type token of the component that holds every resource of one environment (docs/pulumi.md, "Resource tree"). */
export const ENVIRONMENT_TYPE = 'dockercoins:platform:Environment';

/**
 * Alias of every child of the Environment: "this resource used to have no
 * parent but the stack". Until the Environment component existed, each
 * ConfigGroup and Secret was registered without `parent` (so the root stack
 * was its parent) and its URN was `urn:pulumi:<stack>::<project>::<type>::<name>`;
 * parented to the Environment, it is `...::dockercoins:platform:Environment$<type>::<name>`,
 * and without this alias an existing stack would create the new URN and delete
 * the old one (docs/pulumi.md, "Existing stacks").
 *
 * `{ parent: pulumi.rootStackResource }` is the form @pulumi/pulumi documents
 * for exactly this (node_modules/@pulumi/pulumi/resource.d.ts, `Alias.parent`:
 * "To specify no original parent, use `{ parent: pulumi.rootStackResource }`").
 * `rootStackResource` is `undefined` (resource.js, `exports.rootStackResource`):
 * what counts is that the `parent` key is present. The SDK checks
 * `a.hasOwnProperty("parent")` and, the value being undefined, sends the
 * alias spec with `noParent: true` (runtime/resource.js, `mapAliasesForRequest`);
 * name and type are left out, so they default to the current ones. The engine
 * then builds the old URN without a parent type (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, `collapseAliasToUrn`: `if
 * alias.NoParent || parentIsRootStack { parent = "" }`), which is the URN the
 * resource had under the root stack (resource.js, `createUrn`: the
 * `pulumi:pulumi:Stack` parent type is never part of a URN).
 *
 * The objects a ConfigGroup creates need no alias of their own: the engine
 * derives one for every child of an aliased parent (step_generator.go,
 * `generateAliases`: "multiply out any aliases our parent had", with
 * `inheritedChildAlias`).
 */
export const UNPARENTED: pulumi.Alias = { parent: pulumi.rootStackResource };

/** A chart deployed as one ConfigGroup. */
export interface DeployedChart {
  readonly id: string;
  readonly wave: number;
  /** The chart's file in dist/<env>/ (same objects). */
  readonly file: string;
  readonly group: k8s.yaml.v2.ConfigGroup;
  /** Resources this group waits for (all of the earlier waves). */
  readonly dependsOn: readonly pulumi.Resource[];
  /**
   * Whether `pulumi destroy` leaves the group's objects in the cluster: true
   * for the group holding the Namespaces, so that destroying a stack does not
   * delete the namespaces and with them every claim (docs/pulumi.md, "Destroy").
   */
  readonly retainOnDelete: boolean;
  /**
   * The objects of this group that hold data (`kind/namespace/name`, from the
   * offered workloads' claims, the same set the GitOps engines protect): the
   * group's transform registers each with `retainOnDelete` (and `protect`
   * where the environment's `delivery.pulumi.protectData` says so).
   */
  readonly dataObjects: readonly ObjectKey[];
}

/** The key of a resource a ConfigGroup registers: kind from its type token (`kubernetes:apps/v1:StatefulSet`), name and namespace from its object. */
function resourceKey(type: string, props: Record<string, any>): ObjectKey | undefined {
  const kind = type.startsWith('kubernetes:') ? type.split(':')[2] : undefined;
  const name = props?.metadata?.name;
  return kind && typeof name === 'string' ? objectKey(kind, props.metadata.namespace, name) : undefined;
}

/**
 * The transform of a ConfigGroup holding data: each object in `keys` is
 * registered with `retainOnDelete: true` and, with `protect`, `protect: true`;
 * every other object is left as the provider registers it (so it inherits the
 * group's options, see docs/pulumi.md "Destroy").
 *
 * A ConfigGroup is a component of the Kubernetes provider: its objects are
 * registered by the provider, not by this program, so no resource option of
 * this program reaches one object alone. Transforms do: Pulumi documents the
 * `transforms` option as applying to the resource and its children,
 * "including those of packaged (multi-language) components"; the engine
 * calls the program's transform (through the SDK's callback server,
 * `@pulumi/pulumi/runtime/callbacks.js`, `registerTransform`) for each child
 * the provider registers, with its type, name, inputs and options, and uses
 * the options it answers. The options answered replace the child's (the SDK
 * copies only the fields the result sets), so the transform returns the
 * received options with the two data options added.
 */
export function dataTransform(keys: ReadonlySet<ObjectKey>, protect: boolean): pulumi.ResourceTransform {
  return args => {
    const key = resourceKey(args.type, args.props);
    if (!key || !keys.has(key)) return undefined;
    // The SDK hands the received options over with unset booleans read as false (callbacks.js: `ropts.protect =
    // opts.getProtect()`, the same for deleteBeforeReplace) and sends back every field the result defines: so
    // those two are cleared unless meant, or an explicit false would replace the provider's delete-before-replace
    // and the protect a child inherits.
    return { props: args.props, opts: { ...args.opts, deleteBeforeReplace: undefined, protect: protect ? true : undefined, retainOnDelete: true } as pulumi.CustomResourceOptions };
  };
}

export interface DeployOptions {
  /**
   * Reads a secret value from stack config (`dockercoins:<key>`).
   * @default - `new pulumi.Config('dockercoins').requireSecret(key)`
   */
  readonly secretValue?: (configKey: string) => pulumi.Output<string>;
  /**
   * Whether secret stack config holds a key; checked for every key before any
   * resource is registered, so a stack lacking several lists them all at once.
   * @default - `new pulumi.Config('dockercoins').getSecret(key) !== undefined` (none when `secretValue` is given)
   */
  readonly hasSecret?: (configKey: string) => boolean;
  /** Stack name used in messages. @default pulumi.getStack() */
  readonly stack?: string;
  /** Provider for every resource. @default - the ambient kubeconfig */
  readonly provider?: k8s.Provider;
}

export interface DeployedEnvironment {
  /** Environment name (also the component's name). */
  readonly environment: string;
  /** Charts in deployment order. */
  readonly charts: DeployedChart[];
  /** The Secrets created from secret stack config, in declaration order. */
  readonly secrets: k8s.core.v1.Secret[];
}

/** What the Environment component registers as its outputs (visible in `pulumi stack export`, and the stack outputs derive from it). */
export interface EnvironmentOutputs {
  readonly environment: string;
  /** Every Namespace the environment deploys, in dist/ order. */
  readonly namespaces: string[];
  /** The namespaces of the DockerCoins instances (the stack output `namespaces`). */
  readonly dockercoinsNamespaces: string[];
  /** Chart ids in deployment order (the ConfigGroups, named `<env>-<id>`). */
  readonly charts: string[];
  /** The matching files of dist/<env>/. */
  readonly files: string[];
  /** Web UI URL of each DockerCoins instance. */
  readonly webui: string[];
  /** The Secrets created from secret stack config, as `<namespace>/<name>`. */
  readonly secrets: string[];
  /** Charts whose objects `pulumi destroy` leaves in the cluster. */
  readonly retainedOnDelete: string[];
}

/**
 * One environment as one Pulumi component (`dockercoins:platform:Environment`,
 * named after the environment): each cdk8s chart becomes a ConfigGroup of
 * exactly the objects `cdk8s synth` renders into dist/<env>/ (the App is
 * built, never synthesized), and every Secret the charts declare is created
 * from secret stack config; all of them are its children, so a preview shows
 * the environment as one tree with one node per file of dist/<env>/.
 *
 * Waves run in order: namespaces and their guardrails first, then the secrets
 * the charts declare, then the charts that use them. The order is carried by
 * `dependsOn` between the children, not by the tree: there is deliberately no
 * per-wave component, because the parent is part of every child's URN and a
 * chart moving to another wave would then change URN, which replaces (deletes
 * and recreates) every object in it; the wave is visible in the file name and
 * in the `files` output instead.
 *
 * A stack lacking secret config is refused before anything is registered
 * (the component included): {@link MissingSecretsError}.
 */
export class PlatformEnvironment extends pulumi.ComponentResource implements DeployedEnvironment {
  readonly environment: string;
  readonly charts: DeployedChart[];
  readonly secrets: k8s.core.v1.Secret[];
  readonly namespaces: string[];
  readonly dockercoinsNamespaces: string[];
  readonly files: string[];
  readonly webui: string[];
  readonly retainedOnDelete: string[];
  /** What the component registered as its outputs. */
  readonly outputs: EnvironmentOutputs;

  constructor(env: EnvironmentConfig, options: DeployOptions = {}) {
    // One environment, one engine: an environment Argo CD, Flux or kubectl delivers is refused before anything is registered.
    const refusal = pulumiRefusal(env);
    if (refusal) throw new DeliveryEngineError(env.name, env.delivery.engine, refusal);
    const rendered = renderCharts(env, 'pulumi');
    refuseMissingSecrets(env, rendered, options);
    super(ENVIRONMENT_TYPE, env.name, { environment: env.name });

    // Every child: parented here, aliased to its URN from before this component existed.
    const child = (dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
      ...(options.provider ? { provider: options.provider } : {}),
      parent: this,
      aliases: [UNPARENTED],
      dependsOn,
    });
    const charts: DeployedChart[] = [];
    const secrets: k8s.core.v1.Secret[] = [];
    const secretNames: string[] = [];
    const waves = [...new Set(rendered.map(c => c.wave))].sort((a, b) => a - b);
    // The objects that hold data and whether they are protected (delivery.pulumi.protectData).
    const data = dataObjectsOf(env);
    const protect = env.delivery.engine === 'pulumi' && env.delivery.pulumi.protectData;
    let before: pulumi.Resource[] = [];
    for (const wave of waves) {
      const groups = rendered.filter(c => c.wave === wave).map(chart => {
        const dependsOn = [...before];
        const retainOnDelete = holdsNamespaces(chart);
        const dataObjects = chart.objects.map(o => objectKey(o.kind, o.metadata.namespace, o.metadata.name)).filter(k => data.has(k));
        // retainOnDelete on the ConfigGroup reaches each object it creates: see docs/pulumi.md, "Destroy", for the proof and its limits.
        // The objects holding data get their options from the group's transform, one by one.
        const group = new k8s.yaml.v2.ConfigGroup(`${env.name}-${chart.id}`, { objs: chart.objects as ManifestObject[] }, {
          ...child(dependsOn),
          ...(retainOnDelete ? { retainOnDelete: true } : {}),
          ...(dataObjects.length > 0 ? { transforms: [dataTransform(new Set(dataObjects), protect)] } : {}),
        });
        charts.push({ id: chart.id, wave, file: manifestFileName(chart), group, dependsOn, retainOnDelete, dataObjects });
        return group;
      });
      before = [...before, ...groups];
      if (wave === waves[0]) {
        const secretValue = options.secretValue ?? ((key: string) => new pulumi.Config('dockercoins').requireSecret(key));
        for (const s of rendered.flatMap(c => c.secrets)) {
          const stringData = Object.fromEntries(Object.entries(s.keys).map(([key, configKey]) => [key, secretValue(configKey)]));
          secrets.push(new k8s.core.v1.Secret(`${env.name}-${s.namespace}-${s.name}`, {
            metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
            type: 'Opaque',
            stringData,
          }, child([...before])));
          secretNames.push(`${s.namespace}/${s.name}`);
        }
        before = [...before, ...secrets];
      }
    }

    this.environment = env.name;
    this.charts = charts;
    this.secrets = secrets;
    this.namespaces = rendered.flatMap(c => c.objects).filter(o => o.kind === 'Namespace').map(o => o.metadata.name);
    this.dockercoinsNamespaces = env.dockercoins.map(d => d.namespace);
    this.files = charts.map(c => c.file);
    this.webui = env.dockercoins.map(d => `${d.tlsSecretName ? 'https' : 'http'}://${d.host}/`);
    this.retainedOnDelete = charts.filter(c => c.retainOnDelete).map(c => c.id);
    this.outputs = {
      environment: this.environment,
      namespaces: this.namespaces,
      dockercoinsNamespaces: this.dockercoinsNamespaces,
      charts: charts.map(c => c.id),
      files: this.files,
      webui: this.webui,
      secrets: secretNames,
      retainedOnDelete: this.retainedOnDelete,
    };
    this.registerOutputs(this.outputs);
  }
}

/**
 * Deploys the model of an environment as one {@link PlatformEnvironment}
 * component (see there): a ConfigGroup per chart and a Secret per declared
 * secret, in waves.
 */
export function deployEnvironment(env: EnvironmentConfig, options: DeployOptions = {}): PlatformEnvironment {
  return new PlatformEnvironment(env, options);
}

/** The group holding the Namespaces (and only their guardrails) is the one whose deletion takes every claim with it. */
function holdsNamespaces(chart: RenderedChart): boolean {
  return chart.objects.some(o => o.kind === 'Namespace');
}

/** Throws {@link MissingSecretsError} for a stack lacking any secret the charts need; registers nothing. */
function refuseMissingSecrets(env: EnvironmentConfig, charts: readonly RenderedChart[], options: DeployOptions): void {
  const hasSecret = options.hasSecret ?? (options.secretValue ? undefined : (key: string) => new pulumi.Config('dockercoins').getSecret(key) !== undefined);
  if (!hasSecret) return;
  const missing = [...new Set(charts.flatMap(c => c.secrets.flatMap(s => Object.values(s.keys))))].sort().filter(key => !hasSecret(key));
  if (missing.length > 0) throw new MissingSecretsError(options.stack ?? pulumi.getStack(), env.name, missing);
}

/** Every secret stack config key an environment needs and the stack lacks, with the commands that set them. */
export class MissingSecretsError extends Error {
  constructor(public readonly stackName: string, public readonly environment: string, public readonly keys: readonly string[]) {
    super(`Stack "${stackName}" (environment "${environment}") lacks ${keys.length} secret config value${keys.length === 1 ? '' : 's'}; nothing was deployed. Set ${keys.length === 1 ? 'it' : 'each'} with:\n`
      + keys.map(k => `  pulumi config set --secret dockercoins:${k} <value> -s ${stackName}`).join('\n')
      + '\n(generation commands for each value: README, "Secrets")');
  }
}

/** The environment's delivery engine is not Pulumi (src/config/delivery.ts): nothing was registered. */
export class DeliveryEngineError extends Error {
  constructor(public readonly environment: string, public readonly engine: string, message: string) {
    super(message);
    this.name = 'DeliveryEngineError';
  }
}
