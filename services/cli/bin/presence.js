#!/usr/bin/env -S node --max-semi-space-size=64
// Committed entry so npm links the `presence` command at install time, before the first build.
import('../dist/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('presence: not built yet: run "npm run build" first\n');
    process.exit(1);
  }
  throw error;
});
