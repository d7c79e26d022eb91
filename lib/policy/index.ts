export * from './facts';
export * from './context';
export * from './rule';
export * from './catalogue';
