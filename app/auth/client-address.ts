/**
 * The request header through which the server layer hands the client address
 * (the socket's, or the one `TRUST_PROXY` allows) to better-auth and the
 * services. The server overwrites whatever a client sent under this name.
 */
export const CLIENT_ADDRESS_HEADER = "x-todo-client-address";
