import { parseQuantity } from '../../../constructs/lib/quantity';
import type { Checker } from '../validate';

/** Where a component keeps its data. */
export interface StorageConfig {
  /**
   * `emptyDir`: node disk, lost with the pod (counted against the pod's
   * ephemeral-storage). `persistentVolumeClaim`: a ReadWriteOnce claim that
   * survives restarts and rescheduling.
   */
  readonly type: StorageType;
  /** Size limit of the emptyDir, or requested size of the claim, e.g. `10Gi`. */
  readonly size: string;
  /** StorageClass of the claim (only with `persistentVolumeClaim`). @default - the environment's `storageClass` */
  readonly storageClassName?: string;
}

export const STORAGE_TYPES = ['emptyDir', 'persistentVolumeClaim'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** Checks a StorageConfig; returns true when it is usable. */
export function checkStorage(c: Checker, path: string, value: unknown): value is StorageConfig {
  if (!c.object(path, value)) return false;
  const v = value as Record<string, unknown>;
  const type = c.oneOf(`${path}.type`, v.type, STORAGE_TYPES);
  const size = c.quantity(`${path}.size`, v.size, { positive: true });
  if (v.storageClassName !== undefined) {
    if (v.type === 'emptyDir') c.add(`${path}.storageClassName`, 'is only used with type "persistentVolumeClaim"');
    else c.dnsSubdomain(`${path}.storageClassName`, v.storageClassName);
  }
  return type && size;
}

/** Bytes of a quantity already validated by `checkStorage`. */
export function storageBytes(storage: StorageConfig): number {
  return parseQuantity(storage.size) ?? 0;
}

/** An emptyDir counts against the pod's ephemeral-storage limit: the kubelet evicts the pod beyond it. */
export function checkEmptyDirFits(c: Checker, path: string, storage: StorageConfig, ephemeralLimit: string): void {
  if (storage.type !== 'emptyDir') return;
  if (parseQuantity(ephemeralLimit)! < parseQuantity(storage.size)!) {
    c.add(`${path}.resources.limits.ephemeralStorage`, `${ephemeralLimit} is below storage.size ${storage.size}: an emptyDir counts against it and the pod would be evicted`);
  }
}
