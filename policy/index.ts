/**
 * Entry point of the policy pack (PulumiPolicy.yaml, package.json `main`):
 * `pulumi preview --policy-pack policy/` starts this file through
 * @pulumi/pulumi/cmd/run-policy-pack, with the pack's folder as working
 * directory (PolicyPack reads its version from ./package.json). The policies
 * themselves are in policies.ts, where tests load them without starting the
 * pack's gRPC server.
 */
import { PolicyPack } from '@pulumi/policy';
import { POLICY_PACK_NAME, policies } from './policies';

new PolicyPack(POLICY_PACK_NAME, { policies });
