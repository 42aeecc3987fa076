// Builds GOV.UK Frontend and the portal's styles into portal/web/static/build (not committed).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(here, "..", "portal", "web", "static", "build");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(here, "src", "app.scss"), {
  loadPaths: [join(here, "node_modules")],
  style: "compressed",
  // GOV.UK Frontend's own Sass raises deprecation notices that are not ours to fix.
  quietDeps: true,
});
writeFileSync(join(out, "app.css"), css.css);

for (const file of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  if (existsSync(join(govuk, file))) cpSync(join(govuk, file), join(out, file));
}
cpSync(join(here, "src", "app.mjs"), join(out, "app.js"));
// Images and the manifest, but not the GDS Transport fonts: the portal uses Arial.
cpSync(join(govuk, "assets"), join(out, "assets"), {
  recursive: true,
  filter: (source) => !source.includes(`${join("assets", "fonts")}`),
});
console.log(`Built ${out}`);
