export * from './upload-error.js';
export * from './exit-codes.js';
