import { Chart } from 'cdk8s';
import { CertificateAuthority, certificatesSchema } from '../lib/certificates';
import { defineComponent, PLATFORM_VERSION } from '../lib/component';
import { recommendedLabels } from '../lib/labels';

/**
 * The environment's certificate authority, where `certificates.source` is
 * `cert-manager`: the issuers every Certificate of the model names. Wave 0
 * (cluster-scoped prerequisites): they exist before the charts that request
 * certificates. The requests themselves are made by each component
 * (constructs/lib/certificates.ts).
 */
export const certificatesComponent = defineComponent({
  id: 'certificates',
  configPath: ['certificates'],
  schema: certificatesSchema,
  enabled: c => c.source === 'cert-manager',
  offers: () => ({}),
  build(ctx) {
    const source = ctx.config;
    if (source.source !== 'cert-manager') return [];
    const chart = new Chart(ctx.app, 'tls-authority', { disableResourceNameHashes: true });
    const labels = recommendedLabels(chart, { name: 'certificate-authority', instance: ctx.platform.name, component: 'certificate-authority', partOf: 'platform', version: PLATFORM_VERSION });
    new CertificateAuthority(chart, 'Authority', { environment: ctx.platform.name, source, labels });
    return [{ id: 'tls-authority', wave: 0, chart }];
  },
});
