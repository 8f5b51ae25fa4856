/** The authorities tests name, by their ONS codes (seeds/data/authorities.csv). */
export const ANGLESEY = "W06000001";
export const CONWY = "W06000003";
export const SWANSEA = "W06000011";
/** Cardiff's neighbour in the Cardiff and Vale region. */
export const VALE = "W06000014";
export const CARDIFF = "W06000015";
export const BLAENAU_GWENT = "W06000019";
export const TORFAEN = "W06000020";
export const NEWPORT = "W06000022";
/** A region of one authority. */
export const POWYS = "W06000023";
