export { digestHash, ha1, ha1ForAll } from './digest-hash.js';
