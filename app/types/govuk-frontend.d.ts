declare module "govuk-frontend" {
  /** Starts every govuk-frontend component on the page (conditional reveals, error summary focus). */
  export function initAll(config?: { onError?: (error: Error) => void; [component: string]: unknown }): void;
}
