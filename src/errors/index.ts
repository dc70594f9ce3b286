export * from './upload-error.js';
export * from './exit-codes.js';
export * from './error-codes.js';
