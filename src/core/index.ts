export * from './bars.js';
export * from './config.js';
export * from './errors.js';
export * from './metric-catalog.js';
export * from './result.js';
export * from './strategy.js';
export * from './timeframe.js';
