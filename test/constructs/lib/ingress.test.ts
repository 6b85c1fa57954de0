import { Chart, Testing } from 'cdk8s';
import { HostIngress, IngressRoute } from '../../../constructs/lib/ingress';

function render(route: IngressRoute, servicePort: string | number): any {
  const chart = new Chart(Testing.app(), 'test');
  new HostIngress(chart, 'Ingress', { name: 'ui', namespace: 'ns', labels: { a: 'b' }, route, serviceName: 'ui', servicePort });
  return chart.toJson()[0];
}

describe('HostIngress', () => {
  test('routes every path of the host to the Service port by name, plain HTTP without a TLS Secret', () => {
    const ingress = render({ host: 'ui.example.com', className: 'traefik' }, 'http');
    expect(ingress.metadata).toEqual({ name: 'ui', namespace: 'ns', labels: { a: 'b' } });
    expect(ingress.spec).toEqual({
      ingressClassName: 'traefik',
      rules: [{ host: 'ui.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ui', port: { name: 'http' } } } }] } }],
    });
  });

  test('serves TLS with the named Secret, numbered ports and annotations', () => {
    const ingress = render({ host: 'ui.example.com', className: 'traefik', tlsSecretName: 'ui-tls', annotations: { 'pulumi.com/skipAwait': 'true' } }, 8080);
    expect(ingress.spec.tls).toEqual([{ hosts: ['ui.example.com'], secretName: 'ui-tls' }]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.port).toEqual({ number: 8080 });
    expect(ingress.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
  });
});
