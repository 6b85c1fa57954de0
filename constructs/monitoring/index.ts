export * from './agents';
export * from './metrics-server';
export * from './prometheus';
export * from './prometheus-config';
