import { defineConfig } from "vitest/config";

export default defineConfig({
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
