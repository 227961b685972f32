/**
 * Secrets of receivers, read at send time: a value written in the config, or the value of the
 * environment variable it names. A variable that is unset or empty is a NOTIFIER_SECRET_MISSING
 * failure of that send (retried: a control plane restarted with the variable set delivers what
 * waited), never a crash at load and never a request sent without its secret.
 */
import { NotifierError } from "./errors.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export function readSecret(
  receiver: string,
  field: string,
  value: string | undefined,
  envName: string | undefined,
  env: Environment,
): string | undefined {
  if (value !== undefined) return value;
  if (envName === undefined) return undefined;
  const fromEnv = env[envName];
  if (fromEnv === undefined || fromEnv === "") {
    throw new NotifierError(
      "NOTIFIER_SECRET_MISSING",
      `receiver ${receiver}: environment variable ${envName} (${field}) is not set`,
      {
        retryable: true,
        misconfigured: true,
        hint: `set ${envName} in the control plane's environment and restart it; pending notifications are kept`,
      },
    );
  }
  return fromEnv;
}

/** Like readSecret, for a secret the schema requires (one of its two spellings is present). */
export function requireSecret(
  receiver: string,
  field: string,
  value: string | undefined,
  envName: string | undefined,
  env: Environment,
): string {
  const secret = readSecret(receiver, field, value, envName, env);
  if (secret === undefined) {
    throw new NotifierError("NOTIFIER_SECRET_MISSING", `receiver ${receiver}: no ${field} configured`, {
      retryable: true,
      misconfigured: true,
      hint: `give ${field} or ${field}Env in alerts.receivers.${receiver}`,
    });
  }
  return secret;
}
