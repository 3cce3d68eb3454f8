// hash-wasm's one-algorithm builds: its main entry holds every algorithm's WebAssembly (~240 KB in
// the bundle), these only the two the node uses. They are UMD (CommonJS) files without types.
declare module 'hash-wasm/dist/blake2b.umd.min.js' {
  const blake2b: Pick<typeof import('hash-wasm'), 'createBLAKE2b'>;
  export default blake2b;
}
declare module 'hash-wasm/dist/keccak.umd.min.js' {
  const keccak: Pick<typeof import('hash-wasm'), 'createKeccak'>;
  export default keccak;
}
