import type { ReturnSection } from "#app/domain/return-sections.ts";
import type { Translator } from "#app/i18n/i18n.ts";

export interface SectionProgress {
  section: ReturnSection;
  answered: number;
}

/** A section's name: the item it breaks down, or the positions of the items that stand alone in it. */
export function sectionTitle(t: Translator, section: ReturnSection, labels: Record<string, string>) {
  if (section.heading) return t("form.sections.breakdown", { label: labels[section.heading] ?? section.heading });
  return section.from === section.to
    ? t("form.sections.item", { n: section.from })
    : t("form.sections.items", { from: section.from, to: section.to });
}

/**
 * A long return as GOV.UK's task list: one task a section, each leading to that section's items,
 * with how many of them are answered and its status.
 */
export function ReturnTaskList({
  t,
  sections,
  labels,
  sectionHref,
}: {
  t: Translator;
  sections: SectionProgress[];
  labels: Record<string, string>;
  sectionHref: (section: ReturnSection) => string;
}) {
  return (
    <ul className="govuk-task-list" id="sections">
      {sections.map(({ section, answered }) => {
        const total = section.itemCodes.length;
        const id = `section-${section.number}`;
        return (
          <li key={section.number} className="govuk-task-list__item govuk-task-list__item--with-link">
            <div className="govuk-task-list__name-and-hint">
              <a className="govuk-link govuk-task-list__link" href={sectionHref(section)} aria-describedby={`${id}-hint ${id}-status`}>
                {sectionTitle(t, section, labels)}
              </a>
              <div id={`${id}-hint`} className="govuk-task-list__hint">
                {t("form.answered", { count: answered, total })}
              </div>
            </div>
            <div className="govuk-task-list__status" id={`${id}-status`}>
              {answered === total ? (
                t("form.sections.completed")
              ) : (
                <strong className={`govuk-tag ${answered === 0 ? "govuk-tag--blue" : "govuk-tag--light-blue"}`}>
                  {t(answered === 0 ? "form.sections.notStarted" : "form.sections.inProgress")}
                </strong>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
