// govuk-frontend's CSS refers to /assets/fonts and /assets/images, which the Remix compiler does not rewrite.
import { copyFileSync, cpSync } from "node:fs";

cpSync("node_modules/govuk-frontend/dist/govuk/assets", "public/assets", { recursive: true });
// Browsers ask for /favicon.ico whatever the page says.
copyFileSync("node_modules/govuk-frontend/dist/govuk/assets/images/favicon.ico", "public/favicon.ico");
