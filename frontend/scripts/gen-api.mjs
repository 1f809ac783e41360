// Regenerate src/api/schema.gen.ts from the backend's OpenAPI document.
// The document comes from the app itself (no server needed): create_app().openapi(),
// run with the project virtualenv from the repository root.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const python = process.env.BLOCKYARD_PYTHON ?? ".venv/bin/python";
const dump =
  "import json; from blockyard.api.app import create_app; print(json.dumps(create_app().openapi()))";
const spec = execFileSync(python, ["-c", dump], { cwd: "..", encoding: "utf8" });
const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
writeFileSync(file, spec);
execFileSync("npx", ["openapi-typescript", file, "-o", "src/api/schema.gen.ts"], { stdio: "inherit" });
