import type { Message } from "#app/utils/i18n.ts";
import type { MessageKey } from "./en.ts";

/**
 * Y catalog negeseuon Cymraeg. Welsh nouns stay singular after a numeral written in digits
 * ("22 awdurdod"), so most plural messages differ only in the zero form.
 */
export const cy: Record<MessageKey, Message> = {
  "service.name": "Ffurflenni data profiad o ofal",
  "service.owner": "ADSS Cymru",
  "layout.skipLink": "Neidio i'r prif gynnwys",
  "layout.navigation": "Dewislen",
  "layout.nav.collections": "Ceisiadau am wybodaeth",
  "layout.languageNavigation": "Iaith",
  "layout.footer.licence": "Ffigurau a adroddwyd gan 22 awdurdod lleol Cymru, wedi'u cydlynu gan ADSS Cymru.",
  "page.titleSuffix": "Ffurflenni data profiad o ofal",
  "page.errorPrefix": "Gwall:",

  "home.title": "Ceisiadau am wybodaeth",
  "home.lead":
    "Ffigurau am blant a phobl ifanc â phrofiad o ofal, y gofynnir amdanynt gan 22 awdurdod lleol Cymru. Mae pob cyfanswm yn dweud faint o Gymru y mae'n ei gwmpasu.",
  "home.none": "Does dim ceisiadau am wybodaeth eto.",
  "home.table.caption": "Ceisiadau am wybodaeth, y diweddaraf yn gyntaf",
  "collection.field.title": "Cais am wybodaeth",
  "collection.field.referenceDate": "Fel yr oedd ar",
  "collection.field.dueOn": "Dyddiad cau",
  "collection.field.status": "Statws",
  "collection.status.draft": "Wrthi'n cael ei baratoi",
  "collection.status.open": "Ar agor",
  "collection.status.closed": "Ar gau",

  "collection.totals.title": "Cyfansymiau Cymru",
  "collection.totals.caption": "Cyfanswm Cymru gyfan o werthoedd cymaradwy pob eitem, a faint o Gymru y mae'n ei gwmpasu",
  "collection.totals.item": "Eitem",
  "collection.totals.total": "Cyfanswm (gwerthoedd cymaradwy)",
  "collection.totals.coverage": "Cwmpas",
  "collection.totals.noComparable": "Dim cyfanswm: ni roddodd yr un awdurdod ffigur cymaradwy",
  "collection.authorities.title": "Yn ôl awdurdod",
  "collection.authorities.caption": "Ateb pob awdurdod i bob eitem, fel y'i cyflwynwyd ddiwethaf",
  "collection.authorities.authority": "Awdurdod",
  "collection.authorities.region": "Rhanbarth",
  "collection.guidance": "Canllawiau",

  "coverage.sentence": "{total}, gan y {comparable} o'r {expected} awdurdod a roddodd ffigur cymaradwy",
  "coverage.full": "Rhoddodd pob awdurdod ffigur cymaradwy.",
  "coverage.comparable": {
    zero: "Ni roddodd yr un awdurdod ffigur cymaradwy",
    other: "Rhoddodd {count} awdurdod ffigur cymaradwy",
  },
  "coverage.nonComparable": { zero: "Ni chyfrifodd yr un yn wahanol", other: "Cyfrifodd {count} yn wahanol" },
  "coverage.notCollected": { zero: "Mae pob un yn ei gasglu", other: "Nid yw {count} yn ei gasglu" },
  "coverage.unknown": {
    zero: "Gallai pob un roi ffigur dibynadwy",
    other: "Ni allai {count} roi ffigur dibynadwy",
  },
  "coverage.notApplicable": { zero: "Ni ddywedodd yr un nad yw'n berthnasol", other: "Dywedodd {count} nad yw'n berthnasol" },
  "coverage.notAnswered": { zero: "Ni adawodd yr un ef yn wag", other: "Gadawodd {count} ef yn wag" },
  "coverage.noReturn": { zero: "Atebodd pob un", other: "Ni atebodd {count}" },
  "coverage.incomplete": "Dim ond rhan o Gymru y mae'r cyfanswm hwn yn ei gwmpasu.",

  "state.reported": "Rhif",
  "state.not_collected": "Heb ei gasglu",
  "state.unknown": "Anhysbys",
  "state.not_applicable": "Amherthnasol",
  "state.blank": "Heb ei ateb",
  "state.noReturn": "Dim ffurflen",
  "value.nonComparable": "wedi'i gyfrif yn wahanol",
  "value.ageBand": "oed {from} i {to}",
  "value.ageFromOnly": "oed {from} a throsodd",
  "value.ageToOnly": "hyd at {to} oed",
  "value.referenceDateUsed": "fel yr oedd ar {date}",
  "value.caveat": "Nodyn",
  "value.reason": "Rheswm",

  "error.number.notANumber": "{label}: rhowch rif, fel 12",
  "error.number.notWhole": "{label}: rhowch rif cyfan, fel 12",
  "error.number.negative": "{label}: ni all y rhif fod yn negatif; rhowch 0 neu fwy",
  "error.number.tooManyDigits": "{label}: mae'r rhif yn rhy hir; rhowch rif heb fwy na 9 digid",
  "error.number.missing": "{label}: rhowch rif, neu dewiswch ateb arall",
  "error.number.belowMinimum": "{label}: rhaid i'r rhif fod yn {min} neu fwy",
  "error.number.aboveMaximum": "{label}: rhaid i'r rhif fod yn {max} neu lai",
  "error.number.notWithState": "{label}: tynnwch y rhif, neu dewiswch ‘Rhif’",
  "error.text.notText": "{label}: rhowch destun",
  "error.text.controlCharacters": "{label}: tynnwch y nodau rheoli cudd, sy'n aml yn dod o raglenni eraill wrth ludo",
  "error.text.tooLong": "{label}: rhaid iddo fod yn {max} nod neu lai",
  "error.state.invalid": "{label}: dewiswch un o'r atebion a roddir",
  "error.state.missingForReason": "{label}: dewiswch ateb i fynd gyda'r rheswm",
  "error.state.required": "{label}: dewiswch ateb: rhif, heb ei gasglu, anhysbys neu amherthnasol",
  "error.reason.notWithNumber": "{label}: dim ond ar gyfer atebion heb rif y mae rheswm; rhowch nodiadau am y ffigur yn y cafeat",
  "error.reason.missing": "{label}: dywedwch pam nad oes rhif",
  "error.age.invalid": "{label}: rhowch oed mewn blynyddoedd cyfan, o 0 i 120",
  "error.age.fromAfterTo": "{label}: rhaid i'r oed isaf fod yr un fath â'r oed uchaf neu'n is nag ef",
  "error.referenceDate.invalid": "{label}: rhowch ddyddiad go iawn, fel 31 12 2022",
  "error.referenceDate.future": "{label}: ni all y dyddiad y gwnaethoch gyfrif arno fod yn y dyfodol",
  "error.deviation.onlyWithNumber":
    "{label}: dim ond gyda rhif y gall ffordd wahanol o gyfrif fynd; tynnwch hi, neu dewiswch ‘Rhif’",
  "error.rule.notGreaterThan": "{label}: ni all fod yn fwy na {limitItem} ({limit})",
  "error.rule.sumEquals": "{label}: rhaid iddo fod yn hafal i {parts} wedi'u hadio at ei gilydd ({sum})",
  "error.item.unknown": "{label}: nid yw'r eitem hon yn rhan o'r cais hwn am wybodaeth",
  "error.query.explanationMissing": "{label}: esboniwch y ffigur a nodwyd i'w wirio cyn i chi gyflwyno",

  "query.change": "Mae hwn yn newid o {previous} y rownd ddiwethaf i {current}. Gwiriwch ef, yna esboniwch ef.",
  "query.outlier":
    "Mae hyn yn {rate} fesul 10,000 o breswylwyr; ffigur canol yr awdurdodau eraill yw {median}. Gwiriwch ef, yna esboniwch ef.",
  "query.stoppedCollecting": "Y rownd ddiwethaf, fe wnaethoch adrodd {previous}. Esboniwch pam nad yw'n cael ei gasglu nawr.",

  "notFound.title": "Heb ddod o hyd i'r dudalen",
  "notFound.body":
    "Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir. Os gwnaethoch ludo'r cyfeiriad gwe, gwiriwch eich bod wedi copïo'r cyfeiriad cyfan.",
  "error.title": "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
  "error.body": "Rhowch gynnig arall arni yn nes ymlaen. Nid oes dim a gadwyd gennych wedi'i golli.",
  "unavailable.title": "Mae'n ddrwg gennym, nid yw'r gwasanaeth ar gael",
};
