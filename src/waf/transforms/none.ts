/**
 * t:none. In a rule's action list it clears the transformations inherited so far; that reset is the
 * engine's job. As a function it is the identity, so a chain that contains it still runs.
 */
import { registerTransform } from "./registry.js";

export function none(input: string): string {
  return input;
}

registerTransform("none", none);
