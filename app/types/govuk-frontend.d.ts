declare module "govuk-frontend" {
  /** Starts every govuk-frontend component on the page (conditional reveals, error summary focus). */
  export function initAll(config?: Record<string, unknown>): void;
}
