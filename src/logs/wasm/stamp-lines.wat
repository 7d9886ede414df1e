;; stampLines in WebAssembly (SIMD): copies every line of memory[in, end) (which ends with a
;; newline) to memory[out, …), each after the 25-byte time prefix at memory[prefix]; returns
;; where the copy ended. The daemon frames every byte its children print, and this loop is most
;; of that work: here each short line costs one 16-byte compare and four stores.
;;
;; The caller leaves 16 bytes of slack after the input and after the output: loads and stores
;; move 16 bytes at a time and may run past a line's end (the next prefix overwrites them).
;; Compiled into wasm-bytes.ts by scripts/build-wasm.mjs; a test checks the two agree.
(module
  (memory (export "memory") 32)
  (func (export "stamp")
    (param $in i32) (param $end i32) (param $out i32) (param $prefix i32) (result i32)
    (local $head v128) (local $middle i64) (local $last i32) (local $newlines v128)
    (local $i i32) (local $mask i32) (local $length i32)
    (local.set $head (v128.load (local.get $prefix)))
    (local.set $middle (i64.load offset=16 (local.get $prefix)))
    (local.set $last (i32.load8_u offset=24 (local.get $prefix)))
    (local.set $newlines (i8x16.splat (i32.const 10)))
    (block $done
      (loop $line
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        ;; The line's newline: the first set bit of a 16-byte compare, 16 bytes at a time.
        (local.set $i (local.get $in))
        (block $found
          (loop $scan
            (local.set $mask
              (i8x16.bitmask (i8x16.eq (v128.load (local.get $i)) (local.get $newlines))))
            (br_if $found (local.get $mask))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $scan)))
        (local.set $length
          (i32.sub (i32.add (i32.add (local.get $i) (i32.ctz (local.get $mask))) (i32.const 1))
                   (local.get $in)))
        (v128.store (local.get $out) (local.get $head))
        (i64.store offset=16 (local.get $out) (local.get $middle))
        (i32.store8 offset=24 (local.get $out) (local.get $last))
        (local.set $out (i32.add (local.get $out) (i32.const 25)))
        (if (i32.le_u (local.get $length) (i32.const 16))
          (then (v128.store (local.get $out) (v128.load (local.get $in))))
          (else (memory.copy (local.get $out) (local.get $in) (local.get $length))))
        (local.set $out (i32.add (local.get $out) (local.get $length)))
        (local.set $in (i32.add (local.get $in) (local.get $length)))
        (br $line)))
    (local.get $out)))
