import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // In-process tests run the CLI on the runtime's source, like the tests of the runtime
    // itself (one copy of its classes); the built package is tested from its files.
    alias: [
      {
        find: /^@pyrogen\/runtime$/,
        replacement: fileURLToPath(new URL("src/runtime/index.ts", import.meta.url)),
      },
      {
        find: /^@pyrogen\/runtime\/wire$/,
        replacement: fileURLToPath(new URL("src/runtime/wire.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Loopback-only Pyro4 settings for the runtime and every child process.
    setupFiles: ["test/harness/loopback-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real Python daemons; two cores are shared with them.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
