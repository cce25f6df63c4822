export { createTestUa, TestUa } from './test-ua/test-ua.js';
export type { SubscribeOptions, TestUaOptions, UaRequestOptions } from './test-ua/test-ua.js';
export { TestDialog } from './test-ua/test-dialog.js';
export { eventually } from './eventually.js';
export type { EventuallyOptions } from './eventually.js';
export { freePort } from './free-port.js';
