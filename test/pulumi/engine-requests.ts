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
  /** Tokens of the transforms registered on the resource (the engine calls them back for each child). */
  readonly transforms: string[];
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
  enableTransforms();
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
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      transforms: req.getTransformsList().map((c: any) => c.getToken()),
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

// The SDK's own modules (the copies @pulumi/pulumi loads), for the store and the wire messages.
const PULUMI_DIR = require.resolve('@pulumi/pulumi');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = (module: string) => require(require.resolve(module, { paths: [PULUMI_DIR] }));

/**
 * `setMocks` declares every engine feature but transforms
 * (runtime/mocks.js: `store.supportsTransforms = false`), and the SDK then
 * refuses to register a resource with `transforms`. A real engine supports
 * them (since Pulumi CLI v3.100); this turns the feature on for the mock
 * monitor. Registering a transform starts the SDK's callback server on
 * loopback (runtime/callbacks.js), exactly as with a real engine.
 */
export function enableTransforms(): void {
  sdk('@pulumi/pulumi/runtime/state').getStore().supportsTransforms = true;
}

/** A child the engine asks a transform about: its type token, name, parent URN and inputs. */
export interface TransformCall { readonly type: string; readonly name: string; readonly parent: string; readonly props: Record<string, unknown> }
/** The options a transform answered (undefined when it left the child as it was). */
export interface TransformAnswer {
  readonly changed: boolean;
  readonly retainOnDelete: boolean | undefined;
  readonly protect: boolean | undefined;
  readonly deleteBeforeReplace: boolean | undefined;
}

/**
 * Calls a registered transform the way the engine does: a serialized
 * `TransformRequest` to the SDK's callback server (runtime/callbacks.js,
 * `invoke` → the callback `registerTransform` made), read back as the
 * `TransformResponse` the engine would apply to the child.
 */
export async function invokeTransform(token: string, call: TransformCall): Promise<TransformAnswer> {
  const resproto = sdk('@pulumi/pulumi/proto/resource_pb');
  const { Struct } = sdk('google-protobuf/google/protobuf/struct_pb.js');
  const server = sdk('@pulumi/pulumi/runtime/state').getStore().callbacks;
  const callback = server._callbacks.get(token);
  if (!callback) throw new Error(`no transform registered as ${token}`);
  const req = new resproto.TransformRequest();
  req.setType(call.type);
  req.setName(call.name);
  req.setCustom(true);
  req.setParent(call.parent);
  req.setProperties(Struct.fromJavaScript(call.props));
  req.setOptions(new resproto.TransformResourceOptions());
  const response = await callback(req.serializeBinary());
  const answer = resproto.TransformResponse.deserializeBinary(response.serializeBinary());
  const opts = answer.getOptions();
  const unchanged = opts === undefined || opts.toArray().every((v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0));
  return {
    changed: !unchanged,
    retainOnDelete: opts?.hasRetainOnDelete?.() ? opts.getRetainOnDelete() : undefined,
    protect: opts?.hasProtect?.() ? opts.getProtect() : undefined,
    deleteBeforeReplace: opts?.hasDeleteBeforeReplace?.() ? opts.getDeleteBeforeReplace() : undefined,
  };
}

/**
 * Resolves once every registration the program started has reached the
 * monitor (the SDK's RPC queue is empty: runtime/settings.js `waitForRPCs`).
 * A registration with transforms first registers them with the callback
 * server, so it takes longer than one turn of the event loop.
 */
export function settled(): Promise<void> {
  return sdk('@pulumi/pulumi/runtime/settings').waitForRPCs();
}
