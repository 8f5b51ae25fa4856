/**
 * The 22 authorities as hexagons, laid out roughly as Wales is (north at the top), in HexJSON
 * (https://open-innovations.org/projects/hexmaps/hexjson): "odd-r" layout, pointy-topped hexes,
 * odd rows pushed half a hex to the right. Here r counts rows downwards from the north coast.
 */
export const WALES_HEXJSON = {
  layout: "odd-r",
  hexes: {
    W06000001: { n: "AGY", q: 1, r: 0 }, // Isle of Anglesey
    W06000002: { n: "GWN", q: 1, r: 1 }, // Gwynedd
    W06000003: { n: "CNW", q: 2, r: 1 }, // Conwy
    W06000004: { n: "DEN", q: 3, r: 1 }, // Denbighshire
    W06000005: { n: "FLN", q: 4, r: 1 }, // Flintshire
    W06000008: { n: "CGN", q: 2, r: 2 }, // Ceredigion
    W06000023: { n: "POW", q: 3, r: 2 }, // Powys
    W06000006: { n: "WRX", q: 4, r: 2 }, // Wrexham
    W06000009: { n: "PEM", q: 0, r: 3 }, // Pembrokeshire
    W06000010: { n: "CMN", q: 1, r: 3 }, // Carmarthenshire
    W06000012: { n: "NTL", q: 2, r: 3 }, // Neath Port Talbot
    W06000024: { n: "MTY", q: 3, r: 3 }, // Merthyr Tydfil
    W06000019: { n: "BGW", q: 4, r: 3 }, // Blaenau Gwent
    W06000021: { n: "MON", q: 5, r: 3 }, // Monmouthshire
    W06000011: { n: "SWA", q: 1, r: 4 }, // Swansea
    W06000013: { n: "BGE", q: 2, r: 4 }, // Bridgend
    W06000016: { n: "RCT", q: 3, r: 4 }, // Rhondda Cynon Taf
    W06000018: { n: "CAY", q: 4, r: 4 }, // Caerphilly
    W06000020: { n: "TOF", q: 5, r: 4 }, // Torfaen
    W06000014: { n: "VGL", q: 2, r: 5 }, // Vale of Glamorgan
    W06000015: { n: "CRF", q: 3, r: 5 }, // Cardiff
    W06000022: { n: "NWP", q: 4, r: 5 }, // Newport
  },
} as const;
