import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/defaults.js";
import { rampartConfigSchema } from "../../src/config/schema.js";

describe("defaultConfig", () => {
  it("is a valid config with checkout first and critical", () => {
    const c = defaultConfig({ upstream: "http://127.0.0.1:4000", port: 18080, adminPort: 19901 });
    expect(rampartConfigSchema.safeParse(c).success).toBe(true);
    expect(c.gateway.listen.port).toBe(18080);
    expect(c.gateway.admin).toEqual({ host: "127.0.0.1", port: 19901 });
    expect(c.upstreams.shop!.targets).toEqual(["http://127.0.0.1:4000"]);
    expect(c.routes.map((r) => [r.name, r.priority])).toEqual([
      ["checkout", "critical"],
      ["cart", "high"],
      ["search", "low"],
      ["browse", "normal"],
    ]);
    expect(c.routes.at(-1)!.match.pathPrefix).toBe("/");
  });

  it("defaults to gateway 8080, admin 9901, shop on 3000", () => {
    const c = defaultConfig();
    expect(c.gateway.listen.port).toBe(8080);
    expect(c.gateway.admin.port).toBe(9901);
    expect(c.upstreams.shop!.targets).toEqual(["http://127.0.0.1:3000"]);
  });
});
