import type { NewDataItem } from "#db/types.ts";

/**
 * The shared catalogue: the three figures the Senedd's Children, Young People and Education
 * Committee asked for in December 2022, and the breakdowns ADSS Cymru recommended in its reply.
 */
export const CATALOGUE: NewDataItem[] = [
  {
    code: "care_leavers_21_25",
    label_en: "Care leavers aged 21 to 25 known to the authority",
    label_cy: "Pobl sy'n gadael gofal rhwng 21 a 25 oed sy'n hysbys i'r awdurdod",
    definition_en:
      "Young people aged 21 to 25 on the reference date who are care leavers of this authority under Part 6 of the Social Services and Well-being (Wales) Act 2014 and are known to it, whether or not they are still in touch. Count each young person once, by their age on the reference date.",
    definition_cy:
      "Pobl ifanc 21 i 25 oed ar y dyddiad cyfeirio sy'n gadael gofal yr awdurdod hwn o dan Ran 6 o Ddeddf Gwasanaethau Cymdeithasol a Llesiant (Cymru) 2014 ac sy'n hysbys iddo, p'un a ydynt yn dal mewn cysylltiad ai peidio. Cyfrwch bob person ifanc unwaith, yn ôl ei oed ar y dyddiad cyfeirio.",
    max_value: 5000,
    age_from: 21,
    age_to: 25,
  },
  {
    code: "care_experienced_parents",
    label_en: "Care-experienced young people who are parents",
    label_cy: "Pobl ifanc â phrofiad o ofal sy'n rhieni",
    definition_en:
      "Care-experienced young people known to the authority who are the mother or father of at least one child on the reference date. Count each parent once, however many children they have. Do not count expected births.",
    definition_cy:
      "Pobl ifanc â phrofiad o ofal sy'n hysbys i'r awdurdod ac sy'n fam neu'n dad i o leiaf un plentyn ar y dyddiad cyfeirio. Cyfrwch bob rhiant unwaith, faint bynnag o blant sydd ganddynt. Peidiwch â chyfrif genedigaethau disgwyliedig.",
    max_value: 5000,
  },
  {
    code: "care_experienced_mothers",
    label_en: "Care-experienced young people who are mothers",
    label_cy: "Pobl ifanc â phrofiad o ofal sy'n famau",
    definition_en: "Of the care-experienced young people who are parents, those who are mothers.",
    definition_cy: "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai sy'n famau.",
    max_value: 5000,
    parent_code: "care_experienced_parents",
  },
  {
    code: "care_experienced_fathers",
    label_en: "Care-experienced young people who are fathers",
    label_cy: "Pobl ifanc â phrofiad o ofal sy'n dadau",
    definition_en: "Of the care-experienced young people who are parents, those who are fathers.",
    definition_cy: "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai sy'n dadau.",
    max_value: 5000,
    parent_code: "care_experienced_parents",
  },
  {
    code: "care_experienced_parents_recent",
    label_en: "Care-experienced parents who left care in the last 5 years",
    label_cy: "Rhieni â phrofiad o ofal a adawodd ofal yn ystod y 5 mlynedd diwethaf",
    definition_en:
      "Of the care-experienced young people who are parents, those who were last looked after less than 5 years before the reference date.",
    definition_cy:
      "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai a oedd yn derbyn gofal ddiwethaf lai na 5 mlynedd cyn y dyddiad cyfeirio.",
    max_value: 5000,
    parent_code: "care_experienced_parents",
  },
  {
    code: "care_experienced_parents_home_authority",
    label_en: "Care-experienced parents who were looked after by this authority",
    label_cy: "Rhieni â phrofiad o ofal a fu'n derbyn gofal gan yr awdurdod hwn",
    definition_en: "Of the care-experienced young people who are parents, those who were looked after by this authority at any time.",
    definition_cy: "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai a fu'n derbyn gofal gan yr awdurdod hwn ar unrhyw adeg.",
    max_value: 5000,
    parent_code: "care_experienced_parents",
  },
  {
    code: "care_experienced_parents_other_authority",
    label_en: "Care-experienced parents who were looked after only by another authority",
    label_cy: "Rhieni â phrofiad o ofal a fu'n derbyn gofal gan awdurdod arall yn unig",
    definition_en:
      "Of the care-experienced young people who are parents, those who were looked after only by other authorities, never by this one.",
    definition_cy:
      "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai a fu'n derbyn gofal gan awdurdodau eraill yn unig, a byth gan yr awdurdod hwn.",
    max_value: 5000,
    parent_code: "care_experienced_parents",
  },
  {
    code: "care_experienced_parents_child_removed",
    label_en: "Care-experienced parents who have had a child removed or placed on the child protection register",
    label_cy: "Rhieni â phrofiad o ofal y mae plentyn iddynt wedi'i symud o'u gofal neu wedi'i roi ar y gofrestr amddiffyn plant",
    definition_en:
      "Of the care-experienced young people who are parents, those who have had one or more children removed from their care, or a child placed on the child protection register, at any time up to the reference date.",
    definition_cy:
      "O'r bobl ifanc â phrofiad o ofal sy'n rhieni, y rhai y mae un neu ragor o'u plant wedi'u symud o'u gofal, neu y mae plentyn iddynt wedi'i roi ar y gofrestr amddiffyn plant, ar unrhyw adeg hyd at y dyddiad cyfeirio.",
    max_value: 5000,
  },
  {
    code: "children_reunification_plan",
    label_en: "Children removed from care-experienced parents who have a plan for reunification",
    label_cy: "Plant a symudwyd oddi wrth rieni â phrofiad o ofal sydd â chynllun i'w hailuno",
    definition_en:
      "Children removed from the care of a care-experienced parent whose care and support plan, on the reference date, aims to return them to that parent.",
    definition_cy:
      "Plant a symudwyd o ofal rhiant â phrofiad o ofal y mae eu cynllun gofal a chymorth, ar y dyddiad cyfeirio, yn anelu at eu dychwelyd at y rhiant hwnnw.",
    max_value: 5000,
  },
];
