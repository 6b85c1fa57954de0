import * as pulumi from '@pulumi/pulumi';

/**
 * The requests the Pulumi engine would receive, recorded from the mock monitor.
 *
 * `MockResourceArgs` (node_modules/@pulumi/pulumi/runtime/mocks.d.ts) carries
 * only type, name, inputs, provider, custom and id: no parent, aliases,
 * dependencies or retainOnDelete. Those are in the RegisterResourceRequest the
 * SDK sends to the monitor (runtime/resource.js, `registerResource`), so this
 * wraps the mock monitor's `registerResource` and `registerResourceOutputs`
 * and keeps what they receive: exactly what a real engine would be sent.
 */
export interface AliasRequest {
  /** A full URN alias (not used by the program). */
  readonly urn?: string;
  /** An alias spec: empty name/type mean "the current one". */
  readonly spec?: { name: string; type: string; noParent: boolean; parentUrn: string };
}

export interface RegisterRequest {
  readonly type: string;
  readonly name: string;
  /** Parent URN; '' for none (mocks have no root stack resource). */
  readonly parent: string;
  readonly custom: boolean;
  readonly remote: boolean;
  readonly dependencies: string[];
  readonly aliases: AliasRequest[];
  /** undefined when the option is not set. */
  readonly retainOnDelete: boolean | undefined;
  /** URN the monitor answered with. */
  urn?: string;
}

export interface EngineRequests {
  readonly registrations: RegisterRequest[];
  /** Outputs registered per URN (`registerOutputs`), deserialized. */
  readonly outputs: Map<string, Record<string, unknown>>;
}

/** Sets mocks that answer with the inputs as state, and records every request. Call before the program registers anything. */
export async function recordEngineRequests(project: string, stack: string): Promise<EngineRequests> {
  await pulumi.runtime.setMocks({
    newResource: args => ({ id: `${args.name}_id`, state: args.inputs }),
    call: args => args.inputs,
  }, project, stack, false);
  const recorded: EngineRequests = { registrations: [], outputs: new Map() };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    const entry: RegisterRequest = {
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      custom: req.getCustom(),
      remote: req.getRemote(),
      dependencies: req.getDependenciesList(),
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      aliases: req.getAliasesList().map((a: any) => a.hasSpec()
        ? { spec: { name: a.getSpec().getName(), type: a.getSpec().getType(), noParent: a.getSpec().getNoparent(), parentUrn: a.getSpec().getParenturn() } }
        : { urn: a.getUrn() }),
      retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
    };
    recorded.registrations.push(entry);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return registerResource(req, (err: unknown, resp: any) => {
      if (resp) entry.urn = resp.getUrn();
      callback(err, resp);
    });
  };
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp: any) => void) => {
    recorded.outputs.set(req.getUrn(), pulumi.runtime.deserializeProperties(req.getOutputs()));
    return registerResourceOutputs(req, callback);
  };
  return recorded;
}

/** Waits until `done()` holds (registrations are asynchronous), failing after `ms`. */
export async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting for the mock monitor');
    await new Promise(r => setTimeout(r, 10));
  }
}
