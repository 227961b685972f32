/** The built-in policies, registered in this order (the order verdicts are listed in). */
import "./waf-not-off.js";
import "./critical-modules-on.js";
import "./waf-blocking-in-production.js";
import "./admin-loopback.js";
import "./public-routes-rate-limited.js";
import "./limits-not-loosened.js";
