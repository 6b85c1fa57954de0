import * as pulumi from '@pulumi/pulumi';
import { resolveStack } from '../config/stack-config';
import { deployEnvironment } from './program';

/**
 * Pulumi program: stack = environment. `dockercoins:environment` maps a stack
 * with another name onto an environment; `dockercoins:overrides` overrides any
 * field of the typed environment config and is validated the same way.
 */
const config = new pulumi.Config('dockercoins');
// No `dockercoins:environment`: the stack name is the environment (a fresh `pulumi stack init dev` works).
const env = resolveStack(pulumi.getStack(), { environment: config.get('environment'), overrides: config.getObject<unknown>('overrides') });
const deployed = deployEnvironment(env);

export const environment = env.name;
export const namespaces = env.dockercoins.map(d => d.namespace);
export const webui = env.dockercoins.map(d => `${d.tlsSecretName ? 'https' : 'http'}://${d.host}/`);
export const charts = deployed.charts.map(c => c.id);
