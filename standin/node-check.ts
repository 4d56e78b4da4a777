/**
 * The Node version check of `dnn-standin`, in a module with no imports so the bin can run
 * it before loading anything that an old Node lacks (node:sqlite, node:util's parseArgs).
 */

/** The sentence for a Node without node:sqlite (majors before 22); undefined when fine. */
export function nodeVersionProblem(nodeVersion: string): string | undefined {
  const major = Number(nodeVersion.replace(/^v/, "").split(".")[0]);
  if (Number.isInteger(major) && major >= 22) return undefined;
  return `dnn-standin needs Node.js 22 or later (it uses node:sqlite); this is Node v${nodeVersion.replace(/^v/, "")}`;
}
