/** pyrogen's version, read from package.json (recorded in generated banners). */
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { version?: unknown };

/** The version of this pyrogen package. */
export const VERSION = typeof packageJson.version === "string" ? packageJson.version : "0.0.0";
