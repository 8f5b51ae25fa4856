import { createContext, useContext } from "react";

/** The per-response CSP nonce, set on the server; browsers hide it from scripts, so it is "" on the client. */
export const NonceContext = createContext("");
export const useNonce = () => useContext(NonceContext);
