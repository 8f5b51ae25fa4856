// govuk-frontend's CSS refers to /assets/fonts and /assets/images, which the Remix compiler does not rewrite.
import { cpSync } from "node:fs";

cpSync("node_modules/govuk-frontend/dist/govuk/assets", "public/assets", { recursive: true });
