/** True for a non-null, non-array object (a YAML/JSON mapping). The one such helper of the project. */
export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
