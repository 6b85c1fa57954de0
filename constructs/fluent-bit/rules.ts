import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Fluent Bit's output metrics (FLUENT_BIT_METRICS_PATH), per output plugin
 * instance (`name`, e.g. `es.0`): `fluentbit_output_errors_total` counts failed
 * flushes (retried), `fluentbit_output_retries_failed_total` chunks dropped
 * after the last retry (lost logs).
 */
export function fluentBitRules(): RuleGroup {
  return {
    name: 'fluent-bit',
    rules: [
      alertRule({
        alert: 'FluentBitOutputErrors',
        expr: 'sum by (namespace, pod, name) (rate(fluentbit_output_errors_total[5m])) > 0',
        for: '15m',
        severity: 'warning',
        summary: 'Fluent Bit {{ $labels.pod }} fails to flush to output {{ $labels.name }}',
        description: 'Output {{ $labels.name }} of {{ $labels.namespace }}/{{ $labels.pod }} has failed flushes for 15 minutes (they are retried).',
      }),
      alertRule({
        alert: 'FluentBitOutputRetriesFailed',
        expr: 'sum by (namespace, pod, name) (increase(fluentbit_output_retries_failed_total[10m])) > 0',
        severity: 'critical',
        summary: 'Fluent Bit {{ $labels.pod }} dropped logs for output {{ $labels.name }}',
        description: 'Chunks for output {{ $labels.name }} of {{ $labels.namespace }}/{{ $labels.pod }} exhausted their retries in the last 10 minutes: those logs are lost.',
      }),
    ],
  };
}
