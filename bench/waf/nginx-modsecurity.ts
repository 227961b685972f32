/**
 * nginx + ModSecurity v3 (Debian's nginx and libnginx-mod-http-modsecurity) loaded with a CRS
 * folder, as the reference that the WAF benchmark and reference conformance runs compare Rampart
 * with. `ensureNginxModsecurity()` installs the packages with apt-get when missing (as root).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MODULE = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so";

export function ensureNginxModsecurity(): boolean {
  if (existsSync(MODULE) && existsSync("/usr/sbin/nginx")) return true;
  try {
    execFileSync("apt-get", ["install", "-y", "-qq", "nginx", "libnginx-mod-http-modsecurity", "wrk"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch {
    return false;
  }
  return existsSync(MODULE);
}

export interface NginxModsecOptions {
  readonly crsDir: string;
  readonly paranoia: number;
  readonly port: number;
  readonly upstreamPort: number;
  /** Extra SecLang after the CRS setup (e.g. the CRS test settings). */
  readonly extraSettings?: string;
  readonly detectionOnly?: boolean;
}

export interface NginxModsec {
  readonly errorLog: string;
  readonly process: ChildProcess;
  stop(): void;
}

export function startNginxModsecurity(opts: NginxModsecOptions): NginxModsec {
  const dir = mkdtempSync(join(tmpdir(), "rampart-nginx-"));
  const modsec = `SecRuleEngine ${opts.detectionOnly ? "DetectionOnly" : "On"}
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html text/xml application/json
SecAuditEngine Off
SecPcreMatchLimit 100000
SecPcreMatchLimitRecursion 100000
Include ${opts.crsDir}/crs-setup.conf.example
SecAction "id:9000100,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=${opts.paranoia}"
${opts.extraSettings ?? ""}
Include ${opts.crsDir}/rules/*.conf
`;
  writeFileSync(join(dir, "modsec.conf"), modsec);
  const errorLog = join(dir, "error.log");
  writeFileSync(errorLog, "");
  writeFileSync(
    join(dir, "nginx.conf"),
    `load_module ${MODULE};
worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${errorLog} info;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir};
  fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream up { server 127.0.0.1:${opts.upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${opts.port}; modsecurity on; modsecurity_rules_file ${dir}/modsec.conf;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`,
  );
  const child = spawn("nginx", ["-c", join(dir, "nginx.conf"), "-p", dir], { stdio: "ignore" });
  return { errorLog, process: child, stop: () => child.kill("SIGKILL") };
}
