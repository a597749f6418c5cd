// Ahead of Emscripten 3.1.6's minimal-runtime glue (-sMINIMAL_RUNTIME), in the module
// factory's scope, what that glue leaves out:
// - its one WebAssembly.instantiate has no rejection path: a module that fails to compile or
//   link (a .wasm from another build), or a throw while it starts, would leave the module's
//   promise pending for good. Here WebAssembly is the global one with instantiate passing
//   any such failure to that promise;
// - it takes the .wasm's bytes only, and reads `.instance` from what instantiate gives: given
//   a module compiled already (livedata.js compiles a fetched .wasm as it downloads),
//   instantiate gives the instance itself, which is wrapped the way bytes' would be;
// - it assigns the instance's exports to `asm` without declaring it, which an ES module
//   (strict code, -sEXPORT_ES6) refuses with a ReferenceError once the instance is ready;
// - it keeps the heap's view and a plain export in variables of its own, not on the module:
//   livedata.js reads both, HEAPU8 (replaced when memory grows, so read anew each time) and
//   livedata_peek_entry (bindings.cpp).
var WebAssembly = {
  instantiate: (source, imports) => {
    const instantiated = globalThis.WebAssembly.instantiate(source, imports).then((result) =>
      result instanceof globalThis.WebAssembly.Instance ? { instance: result } : result,
    );
    return { then: (onInstance) => instantiated.then(onInstance).catch(readyPromiseReject) };
  },
};
var asm;
Object.defineProperties(Module, {
  HEAPU8: { get: () => HEAPU8 },
  _livedata_peek_entry: { get: () => _livedata_peek_entry },
});
