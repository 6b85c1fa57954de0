import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig } from '../config';
import { ManifestObject, renderCharts } from '../render';

/** A chart deployed as one ConfigGroup. */
export interface DeployedChart {
  readonly id: string;
  readonly wave: number;
  readonly group: k8s.yaml.v2.ConfigGroup;
  /** Resources this group waits for (all of the earlier waves). */
  readonly dependsOn: readonly pulumi.Resource[];
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
  readonly charts: DeployedChart[];
  readonly secrets: k8s.core.v1.Secret[];
}

/**
 * Deploys the model of an environment: each cdk8s chart becomes a ConfigGroup of
 * exactly the objects `cdk8s synth` renders (the App is built, never
 * synthesized). Waves run in order: namespaces and their guardrails first, then
 * the secrets the charts declare (values from secret stack config), then the
 * charts that use them.
 */
export function deployEnvironment(env: EnvironmentConfig, options: DeployOptions = {}): DeployedEnvironment {
  const charts = renderCharts(env, 'pulumi');
  const hasSecret = options.hasSecret ?? (options.secretValue ? undefined : (key: string) => new pulumi.Config('dockercoins').getSecret(key) !== undefined);
  if (hasSecret) {
    const missing = [...new Set(charts.flatMap(c => c.secrets.flatMap(s => Object.values(s.keys))))].sort().filter(key => !hasSecret(key));
    if (missing.length > 0) throw new MissingSecretsError(options.stack ?? pulumi.getStack(), env.name, missing);
  }
  const opts = options.provider ? { provider: options.provider } : {};
  const deployed: DeployedChart[] = [];
  const secrets: k8s.core.v1.Secret[] = [];
  const waves = [...new Set(charts.map(c => c.wave))].sort((a, b) => a - b);
  let before: pulumi.Resource[] = [];
  for (const wave of waves) {
    const groups = charts.filter(c => c.wave === wave).map(chart => {
      const dependsOn = [...before];
      const group = new k8s.yaml.v2.ConfigGroup(`${env.name}-${chart.id}`, { objs: chart.objects as ManifestObject[] }, { ...opts, dependsOn });
      deployed.push({ id: chart.id, wave, group, dependsOn });
      return group;
    });
    before = [...before, ...groups];
    if (wave === waves[0]) {
      const secretValue = options.secretValue ?? ((key: string) => new pulumi.Config('dockercoins').requireSecret(key));
      for (const s of charts.flatMap(c => c.secrets)) {
        const stringData = Object.fromEntries(Object.entries(s.keys).map(([key, configKey]) => [key, secretValue(configKey)]));
        secrets.push(new k8s.core.v1.Secret(`${env.name}-${s.namespace}-${s.name}`, {
          metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
          type: 'Opaque',
          stringData,
        }, { ...opts, dependsOn: [...before] }));
      }
      before = [...before, ...secrets];
    }
  }
  return { charts: deployed, secrets };
}

/** Every secret stack config key an environment needs and the stack lacks, with the commands that set them. */
export class MissingSecretsError extends Error {
  constructor(public readonly stackName: string, public readonly environment: string, public readonly keys: readonly string[]) {
    super(`Stack "${stackName}" (environment "${environment}") lacks ${keys.length} secret config value${keys.length === 1 ? '' : 's'}; nothing was deployed. Set ${keys.length === 1 ? 'it' : 'each'} with:\n`
      + keys.map(k => `  pulumi config set --secret dockercoins:${k} <value> -s ${stackName}`).join('\n')
      + '\n(generation commands for each value: README, "Secrets")');
  }
}
