// esbuild embeds .wasm files into the runtime bundles as bytes (loader "binary").
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
