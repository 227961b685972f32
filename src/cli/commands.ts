/**
 * The registry of sub-commands: one file per command under src/cli/, each exporting a
 * `register(program)` function listed here.
 */
import type { Command } from "commander";
import { registerCrs } from "./crs.js";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerCrs];
