import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests start real processes and bind ports; two cores here, so keep it modest.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
